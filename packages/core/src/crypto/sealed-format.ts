// Compact storage form: v1.<keyVersion>.<b64url(dekNonce||wrappedDek)>.<b64url(nonce||ciphertext)>
import { GatehouseError } from "../errors";
import { concatBytes, fromBase64Url, toBase64Url } from "./bytes";
import type { Sealed } from "./envelope";

const NONCE = 24;
const WRAPPED_DEK = 48;
const TAG = 16;
const VERSION_RE = /^(0|[1-9][0-9]{0,14})$/;

export function encodeSealed(sealed: Sealed): string {
  return [
    "v1",
    String(sealed.keyVersion),
    toBase64Url(concatBytes(sealed.dekNonce, sealed.wrappedDek)),
    toBase64Url(concatBytes(sealed.nonce, sealed.ciphertext)),
  ].join(".");
}

const malformed = (why: string) => new GatehouseError("invalid_request", `malformed sealed value: ${why}`);

export function decodeSealed(text: string): Sealed {
  if (typeof text !== "string") throw malformed("not a string");
  const parts = text.split(".");
  if (parts.length !== 4) throw malformed("expected 4 dot-separated parts");
  const [tag, version, keyPart, valuePart] = parts as [string, string, string, string];
  if (tag !== "v1") throw malformed("unknown format version");
  if (!VERSION_RE.test(version)) throw malformed("bad key version");
  const keyBytes = fromBase64Url(keyPart);
  if (!keyBytes || keyBytes.length !== NONCE + WRAPPED_DEK) throw malformed("bad wrapped key");
  const valueBytes = fromBase64Url(valuePart);
  if (!valueBytes || valueBytes.length < NONCE + TAG) throw malformed("bad ciphertext");
  return {
    keyVersion: Number(version),
    dekNonce: keyBytes.subarray(0, NONCE),
    wrappedDek: keyBytes.subarray(NONCE),
    nonce: valueBytes.subarray(0, NONCE),
    ciphertext: valueBytes.subarray(NONCE),
  };
}
