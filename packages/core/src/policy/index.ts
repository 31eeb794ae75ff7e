export { authorize, capabilitiesOn } from "./authorize";
export { buildIndex, type PolicyIndex } from "./build";
export { BUILTIN_ADMIN } from "./builtin";
export { type Cidr, cidrContains, parseCidr, parseIp } from "./cidr";
export { type PolicyDocument, toDocument } from "./document";
export { globError, matchGlob, splitPath } from "./glob";
export { changedFromGatehouseGlob, flagChangedRules, type GlobChange, type RuleChange } from "./legacy";
export { parsePolicy, validatePolicy } from "./parse";
export * from "./types";
