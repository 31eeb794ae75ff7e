import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { GatehouseError } from "../errors";
import { utf8 } from "./bytes";
import { assertMasterKey } from "./master-key";

/** Every use of the master key gets its own label, so keys for one use never open another's data. */
export const PURPOSES = [
  "secret",
  "dynamic_config",
  "lease_credential",
  "totp",
  "sso_client_secret",
  "jwt",
  "mcp_upstream",
  "audit",
  "fingerprint",
  "onboard",
] as const;

export type Purpose = (typeof PURPOSES)[number];

const PURPOSE_SET: ReadonlySet<string> = new Set(PURPOSES);

// Fixed, public salt (RFC 5869 §3.1): the master key is already uniformly random.
const SALT = utf8("gatehouse/v1/hkdf-salt");

export function assertPurpose(purpose: string): asserts purpose is Purpose {
  if (!PURPOSE_SET.has(purpose)) {
    throw new GatehouseError("invalid_request", `unknown key purpose "${purpose}"`);
  }
}

export const purposeLabel = (purpose: Purpose): string => `gatehouse/v1/${purpose}`;

/** HKDF-SHA256(master, fixed salt, "gatehouse/v1/<purpose>"). Synchronous on purpose (SQLite transactions). */
export function deriveKey(master: Uint8Array, purpose: Purpose, length = 32): Uint8Array {
  assertMasterKey(master);
  assertPurpose(purpose);
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new GatehouseError("invalid_request", "derived key length must be between 1 and 8160 bytes");
  }
  return hkdf(sha256, master, SALT, utf8(purposeLabel(purpose)), length);
}
