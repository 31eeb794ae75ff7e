// Reads a Gatehouse 0.10.3 data directory (`gatehouse.db`, SQLite) and decrypts it with that vault's
// master key. The format, as reference/gatehouse.md documents it:
//   KEK = HKDF-SHA256(master key bytes, salt "gatehouse-v1", info "gatehouse-kek", 32 bytes)
//   each secret (and each archived version) has a random 32-byte DEK; nacl.secretbox (XSalsa20-Poly1305,
//   24-byte nonces) seals the value with the DEK and the DEK with the KEK; no associated data.
// Where a nonce is kept is not documented: we accept `nonce ‖ box` in one column (as Gatehouse stores
// dynamic configs) or a separate nonce column, each as a BLOB, base64 or hex text. Timestamps are
// SQLite `datetime('now')` text (UTC) or ISO strings; JSON columns are text.
import { Database } from "bun:sqlite";
import { hkdfSync } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LegacyAppRole, LegacyData, LegacyPolicy, LegacySecret } from "@gatehouse/server/ops/import";
import nacl from "tweetnacl";
import { CliError, EXIT } from "../io";

type Row = Record<string, unknown>;

export const legacyKek = (masterHex: string): Uint8Array =>
  new Uint8Array(hkdfSync("sha256", Buffer.from(masterHex, "hex"), "gatehouse-v1", "gatehouse-kek", 32));

function bytes(v: unknown): Uint8Array | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Uint8Array) return v;
  if (typeof v !== "string" || v === "") return undefined;
  if (/^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0) return new Uint8Array(Buffer.from(v, "hex"));
  return new Uint8Array(Buffer.from(v, "base64"));
}

const pick = (row: Row, names: string[]): unknown => {
  for (const n of names) if (n in row && row[n] !== null && row[n] !== undefined) return row[n];
  return undefined;
};

/** `nonce ‖ box`, or a box with its nonce in another column. */
function unbox(box: unknown, nonce: unknown, key: Uint8Array): Uint8Array | null {
  const b = bytes(box);
  if (!b) return null;
  const n = bytes(nonce);
  if (n && n.length === nacl.secretbox.nonceLength) return nacl.secretbox.open(b, n, key);
  if (b.length < nacl.secretbox.nonceLength + nacl.secretbox.overheadLength) return null;
  return nacl.secretbox.open(
    b.subarray(nacl.secretbox.nonceLength),
    b.subarray(0, nacl.secretbox.nonceLength),
    key,
  );
}

const VALUE = ["encrypted_value", "value_encrypted", "ciphertext", "value"];
const VALUE_NONCE = ["value_nonce", "nonce", "iv"];
const DEK = ["encrypted_dek", "dek_encrypted", "wrapped_dek", "dek"];
const DEK_NONCE = ["dek_nonce", "dek_iv"];

export class WrongKey extends CliError {
  constructor(path: string) {
    super(
      `the Gatehouse master key does not open "${path}": is it that vault's GATEHOUSE_MASTER_KEY?`,
      EXIT.auth,
    );
  }
}

function openSecret(row: Row, kek: Uint8Array, path: string): string {
  const dek = unbox(pick(row, DEK), pick(row, DEK_NONCE), kek);
  if (!dek) throw new WrongKey(path);
  const value = unbox(pick(row, VALUE), pick(row, VALUE_NONCE), dek);
  if (!value) throw new CliError(`the value of "${path}" does not open with its DEK (corrupt row?)`);
  return new TextDecoder().decode(value);
}

export function legacyTime(v: unknown, fallback: number): number {
  if (typeof v === "number") return v < 1e11 ? v * 1000 : v;
  if (typeof v !== "string" || v === "") return fallback;
  const sqliteUtc = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(v) ? `${v.replace(" ", "T")}Z` : v;
  const t = Date.parse(sqliteUtc);
  return Number.isNaN(t) ? fallback : t;
}

function json<T>(v: unknown, fallback: T): T {
  if (typeof v !== "string") return (v as T) ?? fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

const tableExists = (db: Database, name: string) =>
  db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== null;

export interface LegacySummary {
  data: LegacyData;
  /** Tables this import does not carry over, with their row counts. */
  notImported: Record<string, number>;
}

/** The Gatehouse database in a data directory (or the file itself), opened read-only. */
export function openLegacy(pathOrDir: string): Database {
  const file = existsSync(join(pathOrDir, "gatehouse.db")) ? join(pathOrDir, "gatehouse.db") : pathOrDir;
  if (!existsSync(file)) throw new CliError(`no Gatehouse database at ${pathOrDir}`);
  const db = new Database(file, { readonly: true });
  if (!tableExists(db, "secrets")) {
    db.close();
    throw new CliError(`${file} has no secrets table: not a Gatehouse database`);
  }
  return db;
}

export function readLegacy(db: Database, masterHex: string): LegacySummary {
  const kek = legacyKek(masterHex);
  const now = Date.now();
  const rows = (table: string, order = ""): Row[] =>
    tableExists(db, table) ? (db.query(`SELECT * FROM ${table}${order}`).all() as Row[]) : [];

  const versionsByPath = new Map<string, Row[]>();
  for (const v of rows("secret_versions", " ORDER BY version")) {
    const p = String(pick(v, ["secret_path", "path"]) ?? "");
    versionsByPath.set(p, [...(versionsByPath.get(p) ?? []), v]);
  }
  const secrets: LegacySecret[] = [];
  for (const row of rows("secrets", " ORDER BY path")) {
    const path = String(row.path);
    const currentVersion = Number(row.version ?? 1);
    const created = legacyTime(row.created_at, now);
    const updated = legacyTime(row.updated_at, created);
    const archived = (versionsByPath.get(path) ?? [])
      .filter((v) => Number(v.version) < currentVersion)
      .map((v) => ({
        version: Number(v.version),
        value: openSecret(v, kek, `${path} (version ${v.version})`),
        metadata: json<Record<string, unknown>>(v.metadata, {}),
        createdAt: legacyTime(pick(v, ["created_at", "archived_at"]), created),
      }));
    secrets.push({
      path,
      versions: [
        ...archived,
        {
          version: currentVersion,
          value: openSecret(row, kek, path),
          metadata: json<Record<string, unknown>>(row.metadata, {}),
          createdAt: updated,
        },
      ],
      createdAt: created,
      updatedAt: updated,
      createdBy: typeof row.created_by === "string" ? row.created_by : undefined,
    });
  }

  const policies: LegacyPolicy[] = rows("policies", " ORDER BY name").map((p) => {
    const raw = json<{ paths?: string[]; path?: string; capabilities?: string[] }[]>(p.rules, []);
    return {
      name: String(p.name),
      rules: raw.map((r) => ({
        paths: r.paths ?? (r.path ? [r.path] : []),
        capabilities: r.capabilities ?? [],
      })),
      createdAt: legacyTime(p.created_at, now),
      updatedAt: legacyTime(p.updated_at, now),
    };
  });

  const approles: LegacyAppRole[] = rows("approles", " ORDER BY created_at").map((r) => ({
    id: String(pick(r, ["role_id", "id"])),
    displayName: String(r.display_name ?? pick(r, ["role_id", "id"])),
    secretIdHash: String(pick(r, ["secret_id_hash", "secret_hash"]) ?? ""),
    policies: json<string[]>(r.policies, []),
    ipAllowlist: json<string[]>(r.ip_allowlist, []),
    suspended: r.suspended === 1 || r.suspended === true || r.suspended === "1",
    createdAt: legacyTime(r.created_at, now),
    lastUsedAt: r.last_used ? legacyTime(r.last_used, now) : null,
  }));

  const notImported: Record<string, number> = {};
  for (const t of ["users", "dynamic_secrets", "leases", "dynamic_leases", "audit_log", "patterns"]) {
    if (!tableExists(db, t)) continue;
    const n = Number((db.query(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
    if (n > 0) notImported[t] = n;
  }
  return { data: { secrets, policies, approles }, notImported };
}
