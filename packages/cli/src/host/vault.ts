// Host commands open the vault's database directly (no server involved): backup, restore, import,
// `admin reset-2fa` and `audit verify --offline`. They read the same variables as the server:
// GATEHOUSE_DATA_DIR or GATEHOUSE_DATABASE_URL, and GATEHOUSE_MASTER_KEY(_FILE) when the master key
// is needed. Server modules are loaded on demand so client commands stay light.
import { existsSync, readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join, resolve } from "node:path";
import type { AuditEntry, AuditWriter } from "@gatehouse/server/audit/writer";
import type { Store } from "@gatehouse/server/db/store";
import type { Keys } from "@gatehouse/server/keys";
import { CliError, EXIT, type Io } from "../io";

export const HOST_OPTIONS = {
  "data-dir": { type: "string" },
  "database-url": { type: "string" },
  "master-key-file": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const HOST_USAGE = `  --data-dir <dir>          The SQLite data directory (default: GATEHOUSE_DATA_DIR, else /data in
                            production and ./data in development)
  --database-url <url>      PostgreSQL instead (default: GATEHOUSE_DATABASE_URL or the file named by
                            GATEHOUSE_DATABASE_URL_FILE)
  --master-key-file <file>  The master key (default: GATEHOUSE_MASTER_KEY, GATEHOUSE_MASTER_KEY_FILE,
                            or the dev key in the data directory in development)
  --json                    Print the result as JSON
  -h, --help                This help`;

export interface HostFlags {
  "data-dir"?: string;
  "database-url"?: string;
  "master-key-file"?: string;
}

export interface Target {
  dialect: "sqlite" | "pg";
  dataDir: string;
  sqlitePath: string;
  databaseUrl?: string;
  /** Where the data lives, for messages (a PostgreSQL URL without its password). */
  label: string;
}

const production = (env: Io["env"]) => {
  const e = env.GATEHOUSE_ENV?.trim().toLowerCase();
  return e ? e === "production" : env.NODE_ENV === "production";
};

export const redactUrl = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");

export function target(env: Io["env"], flags: HostFlags): Target {
  let fromFile: string | undefined;
  if (!flags["database-url"] && !env.GATEHOUSE_DATABASE_URL && env.GATEHOUSE_DATABASE_URL_FILE) {
    try {
      fromFile = readFileSync(env.GATEHOUSE_DATABASE_URL_FILE, "utf8").trim();
    } catch {
      throw new CliError(
        `cannot read GATEHOUSE_DATABASE_URL_FILE (${env.GATEHOUSE_DATABASE_URL_FILE})`,
        EXIT.usage,
      );
    }
  }
  const databaseUrl =
    flags["database-url"]?.trim() || env.GATEHOUSE_DATABASE_URL?.trim() || fromFile || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new CliError("the database URL must start with postgres://", EXIT.usage);
  const dataDir = resolve(
    flags["data-dir"] || env.GATEHOUSE_DATA_DIR || (production(env) ? "/data" : "./data"),
  );
  const sqlitePath = join(dataDir, "gatehouse.db");
  return {
    dialect: databaseUrl ? "pg" : "sqlite",
    dataDir,
    sqlitePath,
    databaseUrl,
    label: databaseUrl ? redactUrl(databaseUrl) : sqlitePath,
  };
}

/** The master key as the server would load it; never created here. */
export function masterKeyHex(env: Io["env"], flags: HostFlags, t: Target, name = "master key"): string {
  const fromFile = (file: string) => {
    try {
      return readFileSync(file, "utf8").trim();
    } catch {
      throw new CliError(`cannot read the ${name} file ${file}`, EXIT.usage);
    }
  };
  let hex: string | undefined;
  if (flags["master-key-file"]) hex = fromFile(flags["master-key-file"]);
  else if (env.GATEHOUSE_MASTER_KEY) hex = env.GATEHOUSE_MASTER_KEY.trim();
  else if (env.GATEHOUSE_MASTER_KEY_FILE) hex = fromFile(env.GATEHOUSE_MASTER_KEY_FILE);
  else if (!production(env) && existsSync(join(t.dataDir, "dev-master.key")))
    hex = fromFile(join(t.dataDir, "dev-master.key"));
  if (!hex)
    throw new CliError(
      `no ${name}: set GATEHOUSE_MASTER_KEY or GATEHOUSE_MASTER_KEY_FILE, or pass --master-key-file`,
      EXIT.usage,
    );
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new CliError(`the ${name} must be 64 hexadecimal characters`, EXIT.usage);
  return hex.toLowerCase();
}

export async function openTargetStore(t: Target, opts: { mustExist?: boolean } = {}): Promise<Store> {
  if (t.dialect === "sqlite" && opts.mustExist && !existsSync(t.sqlitePath))
    throw new CliError(`no vault at ${t.sqlitePath} (set GATEHOUSE_DATA_DIR or --data-dir)`);
  const { openStore } = await import("@gatehouse/server/db/store");
  try {
    return await openStore({ databaseUrl: t.databaseUrl, sqlitePath: t.sqlitePath, poolSize: 2 });
  } catch (e) {
    throw new CliError(`cannot open ${t.label}: ${e instanceof Error ? e.message : e}`);
  }
}

export interface Vault {
  store: Store;
  keys: Keys;
  audit: AuditWriter;
  target: Target;
  /** Who acts, for audit entries: `host:<os user>`. */
  identity: string;
  /** Appends an audit entry as the host operator. */
  record(entry: Omit<AuditEntry, "identity">, tx?: Parameters<AuditWriter["append"]>[1]): Promise<void>;
  close(): Promise<void>;
}

/** Opens the vault with its master key (checked by fingerprint) and an audit writer keyed like the server's. */
export async function openVault(
  env: Io["env"],
  flags: HostFlags,
  opts: { mustExist?: boolean } = {},
): Promise<Vault> {
  const t = target(env, flags);
  const hex = masterKeyHex(env, flags, t);
  const store = await openTargetStore(t, opts);
  try {
    const [{ loadKeys, KeyMismatchError }, { createAuditWriter }, { createLogger }] = await Promise.all([
      import("@gatehouse/server/keys"),
      import("@gatehouse/server/audit/writer"),
      import("@gatehouse/server/log"),
    ]);
    let keys: Keys;
    try {
      keys = await loadKeys(store, {
        masterKeyHex: hex,
        masterKeyPreviousHex: env.GATEHOUSE_MASTER_KEY_PREVIOUS?.trim() || undefined,
      });
    } catch (e) {
      if (e instanceof KeyMismatchError) throw new CliError(e.message, EXIT.auth);
      throw e;
    }
    const log = createLogger("error", (line) => process.stderr.write(`${line}\n`));
    const audit = createAuditWriter({ store, key: keys.auditKey, log });
    const identity = `host:${safeUser()}`;
    return {
      store,
      keys,
      audit,
      target: t,
      identity,
      record: (entry, tx) =>
        audit.append(
          {
            identity,
            sourceIp: null,
            ...entry,
            metadata: { via: "cli", host: hostname(), ...entry.metadata },
          },
          tx,
        ),
      async close() {
        await audit.drain();
        await store.close();
      },
    };
  } catch (e) {
    await store.close().catch(() => {});
    throw e;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "unknown");
  }
}
