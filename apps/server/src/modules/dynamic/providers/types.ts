import { randomBytes } from "node:crypto";
import { invalid } from "@gatehouse/core";

export const PROVIDER_TYPES = ["postgresql", "mysql", "mongodb", "redis", "ssh-cert"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export type ProviderConfig = Record<string, unknown>;

/** One config field, for validation, masking and the web UI's forms. */
export interface FieldSpec {
  name: string;
  /** `tls`: true (verify), "insecure" (encrypt without verifying) or false. */
  type: "string" | "integer" | "boolean" | "list" | "text" | "tls";
  required?: boolean;
  /** Stored sealed like the rest, shown as `***`, and kept when a save leaves it blank. */
  sensitive?: boolean;
  /** Computed by the provider (e.g. the CA public key); ignored on input. */
  derived?: boolean;
  default?: unknown;
  description: string;
}

/** What the service hands a provider to create one credential. */
export interface CreateRequest {
  leaseId: string;
  /** `gh_<identity>_<12 hex>`, within the provider's length limit. */
  username: string;
  /** 32 random letters and digits (safe inside SQL literals and URLs). */
  password: string;
  identity: string;
  ttlSeconds: number;
  /** ms since the epoch, from the server's clock. */
  createdAt: number;
  expiresAt: number;
}

export interface DynamicProvider {
  readonly type: ProviderType;
  readonly label: string;
  readonly fields: readonly FieldSpec[];
  /** Longest user name the engine accepts (MySQL: 32). */
  readonly maxUsernameLength: number;
  /** "immediate": revoke removes access at once; "expiry": access ends when the credential expires. */
  readonly revocation: "immediate" | "expiry";
  /** Whether a lease can be extended (the engine's own expiry, if any, is moved too). */
  readonly renewable: boolean;
  /** Checks and normalizes a config (defaults applied, derived fields computed); throws 400 naming the field. */
  validateConfig(config: ProviderConfig): Promise<ProviderConfig>;
  /** Connects with the admin credentials and checks they can manage users; throws ProviderError. */
  test(config: ProviderConfig): Promise<void>;
  /** Creates a scoped credential; on failure leaves nothing behind (or throws and revoke cleans up). */
  create(config: ProviderConfig, req: CreateRequest): Promise<Record<string, unknown>>;
  /** Removes the user (idempotent: a user already gone is success). */
  revoke(config: ProviderConfig, username: string): Promise<void>;
  /** Moves the engine's own expiry, where it has one. */
  renew?(config: ProviderConfig, username: string, expiresAt: number): Promise<void>;
  /** The Gatehouse-made users (`gh_…`) the engine has now. */
  listActive(config: ProviderConfig): Promise<string[]>;
}

/** A provider failure whose message is safe to show: no credentials (the service scrubs it again). */
export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderError";
  }
}

/** Wraps an engine error into a ProviderError whose message names the step and the engine's reason. */
export function providerError(step: string, e: unknown): ProviderError {
  if (e instanceof ProviderError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ProviderError(`${step}: ${message.split("\n")[0]?.slice(0, 300) ?? "failed"}`);
}

/** Removes every occurrence of each secret (and common encodings) from a message. */
export function scrubMessage(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of [s, encodeURIComponent(s), Buffer.from(s).toString("base64")]) {
      out = out.split(form).join("[redacted]");
    }
  }
  return out;
}

/** Rejects after `ms` (the underlying call is left to its own timeout). */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderError(`${what}: timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 32 characters from [A-Za-z0-9] without modulo bias (about 190 bits). */
export function randomPassword(length = 32): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(64)) {
      if (b < 248 && out.length < length) out += ALNUM[b % 62];
    }
  }
  return out;
}

/** Every user Gatehouse creates is named like this, and revoke refuses anything else. */
export const USERNAME_RE = /^gh_[a-z0-9_]{1,64}$/;

/** `gh_<identity reduced to [a-z0-9_]>_<12 hex>`, at most `max` characters. */
export function makeUsername(identity: string, max: number): string {
  const hex = randomBytes(6).toString("hex");
  const local = identity.includes(":") ? identity.slice(identity.indexOf(":") + 1) : identity;
  const room = Math.max(1, max - 3 - 1 - hex.length);
  const slug =
    local
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, "_")
      .replace(/^_+|_+$/g, "")
      .slice(0, room)
      .replace(/_+$/, "") || "x";
  return `gh_${slug}_${hex}`;
}

export function assertUsername(username: string): string {
  if (!USERNAME_RE.test(username))
    throw new ProviderError(`refusing to touch "${username}": not a Gatehouse user`);
  return username;
}

// ---- config validation helpers -------------------------------------------------------------

const fieldName = (name: string) => `config.${name}`;

/** Applies defaults and checks types and required fields; provider-specific checks follow. */
export function normalizeFields(fields: readonly FieldSpec[], input: ProviderConfig): ProviderConfig {
  const out: ProviderConfig = {};
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw invalid(fieldName(key), "is not a setting of this provider");
  }
  for (const f of fields) {
    if (f.derived) continue;
    let v = input[f.name];
    if (v === undefined || v === null || v === "") v = f.default;
    if (v === undefined || v === null || v === "") {
      if (f.required) throw invalid(fieldName(f.name), "is required");
      continue;
    }
    switch (f.type) {
      case "string":
      case "text":
        if (typeof v !== "string") throw invalid(fieldName(f.name), "must be a string");
        if (f.type === "string" && /[\r\n\0]/.test(v))
          throw invalid(fieldName(f.name), "must be a single line");
        if (v.length > (f.type === "text" ? 16_384 : 1024)) throw invalid(fieldName(f.name), "is too long");
        break;
      case "integer":
        if (typeof v === "string" && /^\d{1,9}$/.test(v)) v = Number(v);
        if (typeof v !== "number" || !Number.isInteger(v))
          throw invalid(fieldName(f.name), "must be an integer");
        break;
      case "boolean":
        if (v === "true" || v === "false") v = v === "true";
        if (typeof v !== "boolean") throw invalid(fieldName(f.name), "must be true or false");
        break;
      case "tls":
        v = checkSsl({ ssl: v });
        break;
      case "list":
        if (typeof v === "string")
          v = v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
        if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
          throw invalid(fieldName(f.name), "must be a list of strings (or a comma-separated string)");
        if (v.length > 64) throw invalid(fieldName(f.name), "has too many entries");
        if (f.required && v.length === 0) throw invalid(fieldName(f.name), "must not be empty");
        break;
    }
    out[f.name] = v;
  }
  return out;
}

export const str = (c: ProviderConfig, k: string): string =>
  typeof c[k] === "string" ? (c[k] as string) : "";
export const int = (c: ProviderConfig, k: string, fallback: number): number =>
  typeof c[k] === "number" ? (c[k] as number) : fallback;
export const list = (c: ProviderConfig, k: string): string[] =>
  Array.isArray(c[k]) ? (c[k] as string[]) : [];

/** An integer setting within [min, max]; `fallback` stands in when it is unset. */
export function checkRange(c: ProviderConfig, k: string, min: number, max: number, fallback = 0): number {
  const v = int(c, k, fallback);
  if (v < min || v > max) throw invalid(fieldName(k), `must be between ${min} and ${max}`);
  return v;
}

export const checkPort = (c: ProviderConfig, k = "port"): number => checkRange(c, k, 1, 65535);

const HOST_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[?[0-9A-Fa-f:.]+\]?)$/;

export function checkHost(c: ProviderConfig, k = "host"): string {
  const h = str(c, k);
  if (!HOST_RE.test(h) || h.length > 253) throw invalid(fieldName(k), "must be a host name or an IP address");
  return h;
}

/** A database, schema or similar name used inside quoted identifiers: letters, digits, `_`, `$`. */
export function checkIdentifier(c: ProviderConfig, k: string, max = 63): string {
  const v = str(c, k);
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(v) || v.length > max) {
    throw invalid(
      fieldName(k),
      `must be letters, digits, '_' or '$' (at most ${max}), starting with a letter or '_'`,
    );
  }
  return v;
}

/** Upper-cases and checks each entry against an allowlist; `ALL` variants become `ALL PRIVILEGES`. */
export function checkGrants(c: ProviderConfig, k: string, allowed: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of list(c, k)) {
    const g = raw.trim().toUpperCase().replace(/\s+/g, " ");
    const norm = g === "ALL" ? "ALL PRIVILEGES" : g;
    if (!allowed.includes(norm)) {
      throw invalid(fieldName(k), `"${raw}" is not allowed (allowed: ${allowed.join(", ")})`);
    }
    if (!out.includes(norm)) out.push(norm);
  }
  if (out.length === 0) throw invalid(fieldName(k), "must name at least one privilege");
  return out;
}

/** `ssl`: false (default), true (verify the server certificate) or "insecure" (encrypt, don't verify). */
export function checkSsl(c: ProviderConfig): boolean | "insecure" {
  const v = c.ssl;
  if (v === undefined || v === false || v === "false" || v === "") return false;
  if (v === true || v === "true") return true;
  if (v === "insecure") return "insecure";
  throw invalid(fieldName("ssl"), 'must be true, false or "insecure"');
}

export const SSL_FIELDS: readonly FieldSpec[] = [
  { name: "ssl", type: "tls", default: false, description: 'TLS: true (verify), "insecure" or false' },
  { name: "ssl_ca", type: "text", description: "PEM CA certificate to verify the server with" },
];

/** TLS options in the shape node's tls.connect takes (postgres, mysql2 and mongodb accept it). */
export function tlsOptions(c: ProviderConfig): false | { rejectUnauthorized: boolean; ca?: string } {
  const ssl = checkSsl(c);
  if (ssl === false) return false;
  const ca = str(c, "ssl_ca") || undefined;
  return { rejectUnauthorized: ssl === true, ...(ca ? { ca } : {}) };
}
