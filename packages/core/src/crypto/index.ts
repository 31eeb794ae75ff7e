export { fromBase64Url, toBase64Url } from "./bytes";
export {
  DEK_BYTES,
  type Keyring,
  NONCE_BYTES,
  open,
  openString,
  rewrap,
  type Sealed,
  seal,
} from "./envelope";
export { fingerprint, randomToken, sha256Hex, timingSafeEqualStr } from "./hash";
export { deriveKey, PURPOSES, type Purpose } from "./kdf";
export { MASTER_KEY_BYTES, parseMasterKey } from "./master-key";
export { decodeSealed, encodeSealed } from "./sealed-format";
