// KEK derivation costs two HMACs per call; secret reads are on the hot path, so KEKs are cached
// per master-key object, and so are recently used value keys (unwrapping a DEK and deriving its
// value key cost more than opening the value itself). A value key opens only its one value, which
// the master key held beside it opens anyway; plaintexts are never cached. The cache keeps a copy
// of the master key and starts afresh if the caller has changed the array in place, so a mutated
// or zeroed key never yields a stale KEK or value key.
import { deriveKey, type Purpose } from "./kdf";

interface Entry {
  master: Uint8Array;
  keks: Map<Purpose, Uint8Array>;
  /** Keyed by the sealed value (or wrapped DEK) this master opened; oldest first. */
  valueKeys: Map<string, OpenedValue>;
}

/** A value key, with the decoded nonce and ciphertext it opened. */
export interface OpenedValue {
  purpose: Purpose;
  context: string;
  key: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

const MAX_VALUE_KEYS = 4096;

const cache = new WeakMap<Uint8Array, Entry>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

function entryFor(master: Uint8Array): Entry {
  let entry = cache.get(master);
  if (!entry || !sameBytes(entry.master, master)) {
    entry = { master: master.slice(), keks: new Map(), valueKeys: new Map() };
    cache.set(master, entry);
  }
  return entry;
}

/** Internal: the returned array is shared, never hand it out or zero it. */
export function cachedKek(master: Uint8Array, purpose: Purpose): Uint8Array {
  const entry = entryFor(master);
  let kek = entry.keks.get(purpose);
  if (!kek) {
    kek = deriveKey(master, purpose);
    entry.keks.set(purpose, kek);
  }
  return kek;
}

/** A value key this master produced for `id` in this purpose and context (shared: never hand it out or zero it). */
export function cachedValueKey(
  master: Uint8Array,
  id: string,
  purpose: Purpose,
  context: string,
): OpenedValue | undefined {
  const hit = entryFor(master).valueKeys.get(id);
  return hit && hit.purpose === purpose && hit.context === context ? hit : undefined;
}

export function rememberValueKey(master: Uint8Array, id: string, opened: OpenedValue): void {
  const keys = entryFor(master).valueKeys;
  if (keys.size >= MAX_VALUE_KEYS) {
    const oldest = keys.keys().next().value;
    if (oldest !== undefined) keys.delete(oldest);
  }
  keys.set(id, opened);
}
