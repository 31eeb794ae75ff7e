import { randomBytes } from "node:crypto";
import {
  decodeSealed,
  encodeSealed,
  fingerprint,
  type Keyring,
  openString,
  type Purpose,
  parseMasterKey,
  seal,
} from "@gatehouse/core/crypto";
import { eq } from "drizzle-orm";
import type { Config } from "./config";
import type { Db, Store } from "./db/store";

export interface Keys {
  readonly keyring: Keyring;
  readonly fingerprint: string;
  seal(purpose: Purpose, context: string, plaintext: string): string;
  open(purpose: Purpose, context: string, sealed: string): string;
  readonly auditKey: Uint8Array;
  readonly jwtKey: Uint8Array;
}

export class KeyMismatchError extends Error {}

export const getMeta = async (store: Store, db: Db, key: string) => {
  const { meta } = store.t;
  return (await db.select({ value: meta.value }).from(meta).where(eq(meta.key, key)).limit(1))[0]?.value;
};

export const setMeta = (store: Store, tx: Db, key: string, value: string) => {
  const { meta } = store.t;
  return tx
    .insert(meta)
    .values({ key, value, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: meta.key, set: { value, updatedAt: Date.now() } });
};

/**
 * Checks the master key against the fingerprint stored at first boot (a wrong key is reported by
 * fingerprint, never by value) and loads the random internal keys sealed under it.
 */
export async function loadKeys(
  store: Store,
  config: Pick<Config, "masterKeyHex" | "masterKeyPreviousHex" | "jwtSecret">,
): Promise<Keys> {
  const current = parseMasterKey(config.masterKeyHex);
  const previous = config.masterKeyPreviousHex ? parseMasterKey(config.masterKeyPreviousHex) : undefined;
  const fp = fingerprint(current);

  const stored = await store.tx(async (tx) => {
    const existing = await getMeta(store, tx, "key_fingerprint");
    if (existing)
      return { fingerprint: existing, version: Number((await getMeta(store, tx, "keyring_version")) ?? "1") };
    await setMeta(store, tx, "key_fingerprint", fp);
    await setMeta(store, tx, "keyring_version", "1");
    return { fingerprint: fp, version: 1 };
  });
  if (stored.fingerprint !== fp) {
    throw new KeyMismatchError(
      `the master key (fingerprint ${fp}) is not the one this database was sealed with (fingerprint ${stored.fingerprint})`,
    );
  }
  const keyring: Keyring = { version: stored.version, current, previous };
  const sealStr = (purpose: Purpose, context: string, plaintext: string) =>
    encodeSealed(seal(keyring, purpose, context, plaintext));
  const openStr = (purpose: Purpose, context: string, sealed: string) =>
    openString(keyring, purpose, context, decodeSealed(sealed));

  const internalKey = (name: string, purpose: Purpose) =>
    store.tx(async (tx) => {
      const context = `meta:${name}`;
      const existing = await getMeta(store, tx, name);
      if (existing) return Buffer.from(openStr(purpose, context, existing), "base64");
      const fresh = randomBytes(32);
      await setMeta(store, tx, name, sealStr(purpose, context, fresh.toString("base64")));
      return fresh;
    });

  const auditKey = new Uint8Array(await internalKey("audit_key", "audit"));
  const jwtKey = config.jwtSecret
    ? new TextEncoder().encode(config.jwtSecret)
    : new Uint8Array(await internalKey("jwt_key", "jwt"));

  return { keyring, fingerprint: fp, seal: sealStr, open: openStr, auditKey, jwtKey };
}
