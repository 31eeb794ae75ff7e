// KEK derivation costs two HMACs per call; secret reads are on the hot path, so KEKs are cached
// per master-key object. The cache keeps a copy of the master key and re-derives if the caller
// has changed the array in place, so a mutated or zeroed key never yields a stale KEK.
import { deriveKey, type Purpose } from "./kdf";

interface Entry {
  master: Uint8Array;
  keks: Map<Purpose, Uint8Array>;
}

const cache = new WeakMap<Uint8Array, Entry>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Internal: the returned array is shared, never hand it out or zero it. */
export function cachedKek(master: Uint8Array, purpose: Purpose): Uint8Array {
  let entry = cache.get(master);
  if (!entry || !sameBytes(entry.master, master)) {
    entry = { master: master.slice(), keks: new Map() };
    cache.set(master, entry);
  }
  let kek = entry.keks.get(purpose);
  if (!kek) {
    kek = deriveKey(master, purpose);
    entry.keks.set(purpose, kek);
  }
  return kek;
}
