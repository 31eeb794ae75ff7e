// Envelope encryption (PRODUCT.md §1): a random DEK per value, the DEK wrapped with a
// purpose-specific KEK derived from the master key. The value key is derived from the DEK and
// the caller's context, so a sealed value copied to another row (another context) fails to open,
// while rotation can re-wrap the DEK without knowing the context.
import { expand } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import nacl from "tweetnacl";
import { GatehouseError } from "../errors";
import { concatBytes, fromUtf8, toBase64Url, utf8 } from "./bytes";
import { assertPurpose, type Purpose, purposeLabel } from "./kdf";
import { cachedKek, cachedValueKey, rememberValueKey } from "./kek-cache";
import { assertMasterKey } from "./master-key";
import { decodeSealed } from "./sealed-format";

export const NONCE_BYTES = nacl.secretbox.nonceLength; // 24
export const DEK_BYTES = nacl.secretbox.keyLength; // 32
export const TAG_BYTES = nacl.secretbox.overheadLength; // 16
export const WRAPPED_DEK_BYTES = DEK_BYTES + TAG_BYTES;

/** Master keys in use. `previous` is still accepted for opening while a rotation rolls out. */
export interface Keyring {
  version: number;
  current: Uint8Array;
  previous?: Uint8Array;
}

export interface Sealed {
  /** Version of the keyring whose current key wrapped the DEK (lets rotation find stale rows). */
  keyVersion: number;
  dekNonce: Uint8Array;
  wrappedDek: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

function valueKey(dek: Uint8Array, purpose: Purpose, context: string): Uint8Array {
  if (typeof context !== "string") {
    throw new GatehouseError("invalid_request", "seal context must be a string");
  }
  // The purpose label never contains NUL, so label || 0 || context is unambiguous. The DEK is
  // uniformly random, so HKDF-Expand alone is enough (RFC 5869 §3.3) and halves the cost.
  const info = concatBytes(utf8(`${purposeLabel(purpose)}/value`), new Uint8Array([0]), utf8(context));
  return expand(sha256, dek, info, DEK_BYTES);
}

function assertKeyring(keyring: Keyring, purpose: Purpose): void {
  assertPurpose(purpose);
  if (!Number.isSafeInteger(keyring.version) || keyring.version < 0) {
    throw new GatehouseError("invalid_request", "keyring version must be a non-negative integer");
  }
  assertMasterKey(keyring.current, "current master key");
  if (keyring.previous !== undefined) assertMasterKey(keyring.previous, "previous master key");
}

function wrapDek(dek: Uint8Array, keyring: Keyring, purpose: Purpose) {
  const dekNonce = nacl.randomBytes(NONCE_BYTES);
  const wrappedDek = nacl.secretbox(dek, dekNonce, cachedKek(keyring.current, purpose));
  return { keyVersion: keyring.version, dekNonce, wrappedDek };
}

const mastersOf = (keyring: Keyring) =>
  keyring.previous ? [keyring.current, keyring.previous] : [keyring.current];

/** The DEK, and which master key of the ring unwrapped it. */
function unwrapDek(
  sealed: Sealed,
  keyring: Keyring,
  purpose: Purpose,
): { dek: Uint8Array; master: Uint8Array } {
  for (const master of mastersOf(keyring)) {
    const dek = nacl.secretbox.open(sealed.wrappedDek, sealed.dekNonce, cachedKek(master, purpose));
    if (dek) return { dek, master };
  }
  throw new GatehouseError(
    "key_mismatch",
    `no key in the keyring opens this ${purpose} value (wrong master key, or damaged data)`,
  );
}

function assertSealedShape(sealed: Sealed): void {
  const ok =
    Number.isSafeInteger(sealed.keyVersion) &&
    sealed.keyVersion >= 0 &&
    sealed.dekNonce instanceof Uint8Array &&
    sealed.dekNonce.length === NONCE_BYTES &&
    sealed.wrappedDek instanceof Uint8Array &&
    sealed.wrappedDek.length === WRAPPED_DEK_BYTES &&
    sealed.nonce instanceof Uint8Array &&
    sealed.nonce.length === NONCE_BYTES &&
    sealed.ciphertext instanceof Uint8Array &&
    sealed.ciphertext.length >= TAG_BYTES;
  if (!ok) throw new GatehouseError("invalid_request", "malformed sealed value");
}

const toSealed = (sealed: Sealed | string): Sealed => {
  const value = typeof sealed === "string" ? decodeSealed(sealed) : sealed;
  assertSealedShape(value);
  return value;
};

export function seal(
  keyring: Keyring,
  purpose: Purpose,
  context: string,
  plaintext: Uint8Array | string,
): Sealed {
  assertKeyring(keyring, purpose);
  const message = typeof plaintext === "string" ? utf8(plaintext) : plaintext;
  const dek = nacl.randomBytes(DEK_BYTES);
  const key = valueKey(dek, purpose, context);
  const nonce = nacl.randomBytes(NONCE_BYTES);
  const ciphertext = nacl.secretbox(message, nonce, key);
  const wrapped = wrapDek(dek, keyring, purpose);
  key.fill(0);
  dek.fill(0);
  return { ...wrapped, nonce, ciphertext };
}

/**
 * Opens with the key from the cache of the master that unwrapped this exact sealed value (string
 * form) or wrapped DEK (object form) for this purpose and context before; else unwraps with the
 * current key, then `previous`. A string hit also skips decoding: the value is opened as decoded then.
 */
function openSealed(keyring: Keyring, purpose: Purpose, context: string, sealed: Sealed | string) {
  // The stored text itself is the key (no new string to hash per read); purpose and context are checked.
  const id =
    typeof sealed === "string" ? sealed : toBase64Url(concatBytes(sealed.dekNonce, sealed.wrappedDek));
  for (const master of mastersOf(keyring)) {
    const hit = cachedValueKey(master, id, purpose, context);
    // A string id covers the whole value; an object's id only its wrapped DEK, so its own bytes are opened.
    if (hit && typeof sealed === "string") return nacl.secretbox.open(hit.ciphertext, hit.nonce, hit.key);
    if (hit && typeof sealed !== "string") {
      assertSealedShape(sealed);
      return nacl.secretbox.open(sealed.ciphertext, sealed.nonce, hit.key);
    }
  }
  const value = toSealed(sealed);
  const { dek, master } = unwrapDek(value, keyring, purpose);
  const key = valueKey(dek, purpose, context);
  dek.fill(0);
  const plaintext = nacl.secretbox.open(value.ciphertext, value.nonce, key);
  // Only a key that opened its value is remembered.
  if (plaintext)
    rememberValueKey(master, id, { purpose, context, key, nonce: value.nonce, ciphertext: value.ciphertext });
  else key.fill(0);
  return plaintext;
}

/** Opens with the current key, then `previous`. Fails if the value was sealed for another context. */
export function open(
  keyring: Keyring,
  purpose: Purpose,
  context: string,
  sealed: Sealed | string,
): Uint8Array {
  assertKeyring(keyring, purpose);
  if (typeof context !== "string") {
    throw new GatehouseError("invalid_request", "seal context must be a string");
  }
  const plaintext = openSealed(keyring, purpose, context, sealed);
  if (!plaintext) {
    throw new GatehouseError(
      "internal",
      `${purpose} value failed authentication (tampered, or moved from another context)`,
    );
  }
  return plaintext;
}

export const openString = (
  keyring: Keyring,
  purpose: Purpose,
  context: string,
  sealed: Sealed | string,
): string => fromUtf8(open(keyring, purpose, context, sealed));

/**
 * Re-wraps the DEK under `to.current` (master-key rotation). The value ciphertext is reused as
 * is, so the context is not needed and the plaintext is never produced.
 */
export function rewrap(sealed: Sealed | string, from: Keyring, to: Keyring, purpose: Purpose): Sealed {
  assertKeyring(from, purpose);
  assertKeyring(to, purpose);
  const value = toSealed(sealed);
  const { dek } = unwrapDek(value, from, purpose);
  const wrapped = wrapDek(dek, to, purpose);
  dek.fill(0);
  return { ...wrapped, nonce: value.nonce, ciphertext: value.ciphertext };
}
