import { hexToBytes } from "@noble/hashes/utils.js";
import { GatehouseError } from "../errors";

export const MASTER_KEY_BYTES = 32;

const HEX_RE = /^[0-9a-fA-F]*$/;

/**
 * Parses a 32-byte master key given as 64 hex characters. Surrounding whitespace is trimmed
 * because key files end in a newline. Error messages never include the key material.
 */
export function parseMasterKey(hex: string): Uint8Array {
  if (typeof hex !== "string") {
    throw new GatehouseError("invalid_request", "master_key: must be a hex string", { field: "master_key" });
  }
  const trimmed = hex.trim();
  if (!HEX_RE.test(trimmed)) {
    throw new GatehouseError("invalid_request", "master_key: must contain only hex characters", {
      field: "master_key",
    });
  }
  if (trimmed.length !== MASTER_KEY_BYTES * 2) {
    throw new GatehouseError(
      "invalid_request",
      `master_key: must be ${MASTER_KEY_BYTES * 2} hex characters (${MASTER_KEY_BYTES} bytes), got ${trimmed.length}`,
      { field: "master_key" },
    );
  }
  return hexToBytes(trimmed);
}

export function assertMasterKey(key: Uint8Array, what = "master key"): void {
  if (!(key instanceof Uint8Array) || key.length !== MASTER_KEY_BYTES) {
    throw new GatehouseError("invalid_request", `${what} must be ${MASTER_KEY_BYTES} bytes`);
  }
}
