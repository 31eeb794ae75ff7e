export {
  anyCidrContains,
  cidrContains,
  formatCidr,
  type ParsedCidr,
  parseCidr,
  parseCidrList,
  tryParseCidr,
} from "./cidr";
export { classifyIp, type IpClass, isPrivateOrLocal } from "./classify";
export { type ClientIpInput, defaultTrustedProxies, resolveClientIp } from "./client-ip";
export { parseHostIp } from "./host";
export {
  canonicalIp,
  formatIp,
  type IpVersion,
  isV4Mapped,
  mapIpv4,
  type ParsedIp,
  parseIp,
  unmapIp,
} from "./ip";
export { parseIpv4Literal } from "./ipv4-literal";
