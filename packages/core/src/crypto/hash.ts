import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import nacl from "tweetnacl";
import { GatehouseError } from "../errors";
import { toBase64Url, utf8 } from "./bytes";
import { deriveKey } from "./kdf";

export const sha256Hex = (data: string | Uint8Array): string =>
  bytesToHex(sha256(typeof data === "string" ? utf8(data) : data));

/** Random URL-safe token (unpadded base64url). */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) {
    throw new GatehouseError("invalid_request", "token size must be between 1 and 1024 bytes");
  }
  return toBase64Url(nacl.randomBytes(bytes));
}

/**
 * Constant-time string comparison. Both sides are hashed first so the comparison runs over a
 * fixed 32 bytes whatever the lengths, and an early length check cannot leak a prefix match.
 */
export function timingSafeEqualStr(a: string, b: string): boolean {
  if (typeof a !== "string" || typeof b !== "string") return false;
  const ha = sha256(utf8(a));
  const hb = sha256(utf8(b));
  let diff = 0;
  for (let i = 0; i < ha.length; i++) diff |= (ha[i] ?? 0) ^ (hb[i] ?? 0);
  return diff === 0;
}

/** Public identifier of a master key (first 16 bytes of its "fingerprint" subkey, hex). */
export const fingerprint = (master: Uint8Array): string => bytesToHex(deriveKey(master, "fingerprint", 16));
