import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

// Every variable is parsed once here at boot; nothing else reads the environment.
export type Config = Readonly<{
  env: "production" | "development";
  devMode: boolean;
  port: number;
  host: string;
  dataDir: string;
  configDir: string;
  masterKeyHex: string;
  masterKeyPreviousHex?: string;
  /** Where the dev key came from, for the banner; undefined in production. */
  devKeyFile?: string;
  rootToken?: string;
  databaseUrl?: string;
  logLevel: LogLevel;
  trustedProxies: string[];
  trustLoopback: boolean;
  proxyAllowPrivate: boolean;
  publicUrl?: string;
  corsOrigins: string[];
  maxBodySize: number;
  jwtSecret?: string;
  sqliteSync: "normal" | "full";
  argon2: { memoryCost: number; timeCost: number };
  oauth: { issuer?: string; clientId?: string; clientSecret?: string; redirectUri?: string };
  webDist: string;
  version: string;
  notify: { url?: string; format: "json" | "ntfy" | "slack" };
  reaperIntervalMs: number;
  /** Bearer token that may read GET /metrics (and nothing else); global admins may always. */
  metricsToken?: string;
  /** GATEHOUSE_MASTER_KEY_FILE, kept so upstream MCP sandboxes can hide it. */
  masterKeyFile?: string;
  /** How stdio MCP upstreams are isolated: auto picks bubblewrap, else a separate user (root), else none. */
  mcpSandbox: McpSandboxSetting;
}>;

export type McpSandboxSetting = "auto" | "bubblewrap" | "user" | "none";

export type LogLevel = "debug" | "info" | "warn" | "error";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

const HEX64 = /^[0-9a-fA-F]{64}$/;
export const VERSION = "0.1.0";

const bool = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
};

const int = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return n;
};

const list = (env: Env, name: string): string[] =>
  (env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

// Never echo a key back in an error: a typo'd key is still mostly secret.
const checkKey = (name: string, value: string): string => {
  const v = value.trim();
  if (!HEX64.test(v)) throw new ConfigError(name, "must be 64 hexadecimal characters (32 bytes)");
  return v.toLowerCase();
};

function readKeyFile(name: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    throw new ConfigError(name, `cannot read ${path}`);
  }
}

function masterKey(env: Env, devMode: boolean, dataDir: string): { hex: string; devKeyFile?: string } {
  if (env.GATEHOUSE_MASTER_KEY) return { hex: checkKey("GATEHOUSE_MASTER_KEY", env.GATEHOUSE_MASTER_KEY) };
  if (env.GATEHOUSE_MASTER_KEY_FILE) {
    const raw = readKeyFile("GATEHOUSE_MASTER_KEY_FILE", env.GATEHOUSE_MASTER_KEY_FILE);
    return { hex: checkKey("GATEHOUSE_MASTER_KEY_FILE", raw) };
  }
  if (!devMode) {
    throw new ConfigError(
      "GATEHOUSE_MASTER_KEY",
      "is required in production (or set GATEHOUSE_MASTER_KEY_FILE)",
    );
  }
  // Dev mode keeps a generated key beside the data, like `vault server -dev`.
  const file = join(dataDir, "dev-master.key");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  }
  return { hex: checkKey("GATEHOUSE_MASTER_KEY_FILE", readKeyFile("dev key", file)), devKeyFile: file };
}

function notifyConfig(env: Env): Config["notify"] {
  const url = env.GATEHOUSE_NOTIFY_WEBHOOK_URL?.trim() || undefined;
  if (url && !/^https?:\/\/[^/]+/.test(url))
    throw new ConfigError("GATEHOUSE_NOTIFY_WEBHOOK_URL", "must be an http(s) URL");
  const format = (env.GATEHOUSE_NOTIFY_FORMAT?.trim().toLowerCase() || "json") as Config["notify"]["format"];
  if (!["json", "ntfy", "slack"].includes(format))
    throw new ConfigError("GATEHOUSE_NOTIFY_FORMAT", "expected json, ntfy or slack");
  return { url, format };
}

export function loadConfig(env: Env = process.env): Config {
  const envName = env.GATEHOUSE_ENV?.trim().toLowerCase();
  if (envName && envName !== "production" && envName !== "development") {
    throw new ConfigError("GATEHOUSE_ENV", `expected production or development, got "${envName}"`);
  }
  const production = envName ? envName === "production" : env.NODE_ENV === "production";
  const devMode = !production;
  const dataDir = resolve(env.GATEHOUSE_DATA_DIR || (devMode ? "./data" : "/data"));
  const configDir = resolve(env.GATEHOUSE_CONFIG_DIR || (devMode ? "./config" : "/config"));
  const key = masterKey(env, devMode, dataDir);
  const previous = env.GATEHOUSE_MASTER_KEY_PREVIOUS
    ? checkKey("GATEHOUSE_MASTER_KEY_PREVIOUS", env.GATEHOUSE_MASTER_KEY_PREVIOUS)
    : undefined;

  const rootToken = env.GATEHOUSE_ROOT_TOKEN?.trim() || undefined;
  if (rootToken && production && rootToken.length < 32) {
    throw new ConfigError("GATEHOUSE_ROOT_TOKEN", "must be at least 32 characters in production");
  }
  // The URL carries the database password: GATEHOUSE_DATABASE_URL_FILE keeps it out of the environment.
  const databaseUrl =
    env.GATEHOUSE_DATABASE_URL?.trim() ||
    (env.GATEHOUSE_DATABASE_URL_FILE
      ? readKeyFile("GATEHOUSE_DATABASE_URL_FILE", env.GATEHOUSE_DATABASE_URL_FILE).trim()
      : undefined) ||
    undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(
      "GATEHOUSE_DATABASE_URL",
      "must start with postgres:// (omit it for embedded SQLite)",
    );
  }
  const logLevel = (env.GATEHOUSE_LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    throw new ConfigError("GATEHOUSE_LOG_LEVEL", "expected debug, info, warn or error");
  }
  const jwtSecret = env.GATEHOUSE_JWT_SECRET?.trim() || undefined;
  if (jwtSecret && jwtSecret.length < 32)
    throw new ConfigError("GATEHOUSE_JWT_SECRET", "must be at least 32 characters");
  const publicUrl = env.GATEHOUSE_PUBLIC_URL?.trim().replace(/\/+$/, "") || undefined;
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw new ConfigError("GATEHOUSE_PUBLIC_URL", "must be an http(s) URL");
  }
  const sqliteSync = (env.GATEHOUSE_SQLITE_SYNC?.trim().toLowerCase() || "normal") as "normal" | "full";
  if (sqliteSync !== "normal" && sqliteSync !== "full") {
    throw new ConfigError("GATEHOUSE_SQLITE_SYNC", "expected normal or full");
  }
  // Lower Argon2 costs exist for tests; production refuses them (PRODUCT.md §13).
  const argonMemory = int(env, "GATEHOUSE_ARGON2_MEMORY_KIB", 65536, 1024, 4194304);
  if (production && argonMemory < 19456) {
    throw new ConfigError("GATEHOUSE_ARGON2_MEMORY_KIB", "must be at least 19456 in production");
  }
  const port = int(env, "GATEHOUSE_PORT", 3100, 0, 65535);
  const metricsToken = env.GATEHOUSE_METRICS_TOKEN?.trim() || undefined;
  const mcpSandbox = (env.GATEHOUSE_MCP_SANDBOX?.trim().toLowerCase() || "auto") as McpSandboxSetting;
  if (!["auto", "bubblewrap", "user", "none"].includes(mcpSandbox)) {
    throw new ConfigError("GATEHOUSE_MCP_SANDBOX", "expected auto, bubblewrap, user or none");
  }
  if (metricsToken && metricsToken.length < 32)
    throw new ConfigError("GATEHOUSE_METRICS_TOKEN", "must be at least 32 characters");

  return Object.freeze({
    env: production ? "production" : "development",
    devMode,
    port,
    host: env.GATEHOUSE_HOST?.trim() || (devMode ? "127.0.0.1" : "0.0.0.0"),
    dataDir,
    configDir,
    masterKeyHex: key.hex,
    masterKeyPreviousHex: previous,
    devKeyFile: key.devKeyFile,
    rootToken,
    databaseUrl,
    logLevel,
    trustedProxies: list(env, "GATEHOUSE_TRUSTED_PROXIES"),
    trustLoopback: bool(env, "GATEHOUSE_TRUST_LOOPBACK", true),
    proxyAllowPrivate: bool(env, "GATEHOUSE_PROXY_ALLOW_PRIVATE", true),
    publicUrl,
    corsOrigins: list(env, "GATEHOUSE_CORS_ORIGINS"),
    maxBodySize: int(env, "GATEHOUSE_MAX_BODY_SIZE", 2 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    jwtSecret,
    sqliteSync,
    argon2: { memoryCost: argonMemory, timeCost: int(env, "GATEHOUSE_ARGON2_TIME_COST", 2, 1, 10) },
    oauth: {
      issuer: env.GATEHOUSE_OAUTH_ISSUER?.trim() || undefined,
      clientId: env.GATEHOUSE_OAUTH_CLIENT_ID?.trim() || undefined,
      clientSecret: env.GATEHOUSE_OAUTH_CLIENT_SECRET?.trim() || undefined,
      redirectUri: env.GATEHOUSE_OAUTH_REDIRECT_URI?.trim() || undefined,
    },
    notify: notifyConfig(env),
    reaperIntervalMs: int(env, "GATEHOUSE_REAPER_INTERVAL_MS", 5000, 100, 3_600_000),
    metricsToken,
    masterKeyFile: env.GATEHOUSE_MASTER_KEY_FILE?.trim()
      ? resolve(env.GATEHOUSE_MASTER_KEY_FILE.trim())
      : undefined,
    mcpSandbox,
    webDist: resolve(env.GATEHOUSE_WEB_DIST || join(import.meta.dir, "../../web/dist")),
    version: VERSION,
  });
}
