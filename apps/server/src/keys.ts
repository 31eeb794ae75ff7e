import { randomBytes } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
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
import { eq, sql } from "drizzle-orm";
import type { Config } from "./config";
import type { Db, Store } from "./db/store";
import type { Logger } from "./log";

export interface Keys {
  /** The keyring in use; `rotate` swaps it, so read it per call rather than keeping a copy. */
  readonly keyring: Keyring;
  /** Fingerprint of the key that seals (the one the database names). */
  readonly fingerprint: string;
  seal(purpose: Purpose, context: string, plaintext: string): string;
  open(purpose: Purpose, context: string, sealed: string): string;
  /** Switches seal/open to another keyring (after a rotation commits, or while one is in flight). */
  rotate(next: Keyring, fingerprint: string): void;
  readonly auditKey: Uint8Array;
  readonly jwtKey: Uint8Array;
}

export class KeyMismatchError extends Error {}

export const KEYRING_VERSION = "keyring_version";
export const KEY_FINGERPRINT = "key_fingerprint";

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

type PgExec = { execute(q: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> };

/**
 * The database's keyring version, row-locked on PostgreSQL: writers take a share lock, rotation an
 * update lock, so no write can commit a value sealed under the old key after rotation has re-wrapped
 * the table (SQLite's single writer already serializes them).
 */
export async function readKeyringVersion(store: Store, tx: Db, lock: "share" | "update"): Promise<number> {
  if (store.dialect === "pg") {
    const rows = await (tx as unknown as PgExec).execute(
      sql`SELECT value FROM meta WHERE key = ${KEYRING_VERSION} FOR ${sql.raw(lock === "share" ? "SHARE" : "UPDATE")}`,
    );
    return Number(rows[0]?.value ?? "1");
  }
  return Number((await getMeta(store, tx, KEYRING_VERSION)) ?? "1");
}

/**
 * Call inside every write transaction that stores a sealed value, passing the sealed strings: a
 * server whose keyring is older than the database's (a replica still on the old master key), or a
 * value sealed before a rotation committed, is refused with 409 key_mismatch instead of writing
 * data that the current key cannot open. Sealing services (secrets, dynamic configs, lease
 * credentials, SSO, MCP upstreams) must call it; the TOTP writes in modules/me do.
 */
export async function assertKeyringCurrent(
  ctx: { store: Store; keys: Keys },
  tx: Db,
  ...sealed: string[]
): Promise<void> {
  const dbVersion = await readKeyringVersion(ctx.store, tx, "share");
  const held = ctx.keys.keyring.version;
  if (dbVersion !== held) {
    throw new GatehouseError(
      "key_mismatch",
      `The master key was rotated (keyring version ${dbVersion} in the database, this server holds ${held}); restart this server with the new GATEHOUSE_MASTER_KEY`,
    );
  }
  for (const s of sealed) {
    if (decodeSealed(s).keyVersion !== dbVersion) {
      throw new GatehouseError("key_mismatch", "The master key was rotated during this request; try again");
    }
  }
}

function keysFor(
  initial: Keyring,
  initialFingerprint: string,
  auditKey: Uint8Array,
  jwtKey: Uint8Array,
): Keys {
  let ring = initial;
  let fp = initialFingerprint;
  return {
    get keyring() {
      return ring;
    },
    get fingerprint() {
      return fp;
    },
    seal: (purpose, context, plaintext) => encodeSealed(seal(ring, purpose, context, plaintext)),
    open: (purpose, context, sealed) => openString(ring, purpose, context, sealed),
    rotate(next, nextFingerprint) {
      ring = next;
      fp = nextFingerprint;
    },
    auditKey,
    jwtKey,
  };
}

const KEYS_LOCK = 7201003;

/**
 * Checks the master key against the fingerprint stored at first boot (a wrong key is reported by
 * fingerprint, never by value) and loads the random internal keys sealed under it.
 *
 * With GATEHOUSE_MASTER_KEY_PREVIOUS set and the database still naming the previous key, a
 * rotation is being rolled out: this server keeps sealing with the previous key (replicas still on
 * it must go on reading new rows) and opens with both, until POST /v1/admin/rotate-key finishes it.
 */
export async function loadKeys(
  store: Store,
  config: Pick<Config, "masterKeyHex" | "masterKeyPreviousHex" | "jwtSecret">,
  log?: Logger,
): Promise<Keys> {
  const current = parseMasterKey(config.masterKeyHex);
  const previous = config.masterKeyPreviousHex ? parseMasterKey(config.masterKeyPreviousHex) : undefined;
  const fp = fingerprint(current);
  const previousFp = previous ? fingerprint(previous) : undefined;

  const stored = await store.tx(async (tx) => {
    // Replicas booting together on a fresh database must agree on one fingerprint and one set of keys:
    // the check-then-insert runs under a lock (a no-op on SQLite, whose writers are serialized anyway).
    await store.lockChain(tx, KEYS_LOCK);
    const existing = await getMeta(store, tx, KEY_FINGERPRINT);
    if (existing)
      return { fingerprint: existing, version: Number((await getMeta(store, tx, KEYRING_VERSION)) ?? "1") };
    await setMeta(store, tx, KEY_FINGERPRINT, fp);
    await setMeta(store, tx, KEYRING_VERSION, "1");
    return { fingerprint: fp, version: 1 };
  });
  let keyring: Keyring;
  if (stored.fingerprint === fp) {
    keyring = { version: stored.version, current, previous };
  } else if (previous && stored.fingerprint === previousFp) {
    keyring = { version: stored.version, current: previous, previous: current };
    log?.warn("master key rotation in progress", {
      database_key_fingerprint: stored.fingerprint,
      new_key_fingerprint: fp,
      hint: "the database is still sealed with GATEHOUSE_MASTER_KEY_PREVIOUS; POST /v1/admin/rotate-key with the new key to finish",
    });
  } else {
    const tried = previousFp ? `fingerprints ${fp} and ${previousFp}` : `fingerprint ${fp}`;
    throw new KeyMismatchError(
      `the master key (${tried}) is not the one this database was sealed with (fingerprint ${stored.fingerprint})`,
    );
  }
  const sealStr = (purpose: Purpose, context: string, plaintext: string) =>
    encodeSealed(seal(keyring, purpose, context, plaintext));
  const openStr = (purpose: Purpose, context: string, sealed: string) =>
    openString(keyring, purpose, context, decodeSealed(sealed));

  const internalKey = (name: string, purpose: Purpose) =>
    store.tx(async (tx) => {
      await store.lockChain(tx, KEYS_LOCK);
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

  return keysFor(keyring, stored.fingerprint, auditKey, jwtKey);
}
