import { GatehouseError, invalid } from "@gatehouse/core";
import {
  FILTER_MODES,
  type FilterOverrides,
  type FilterSettings,
  INJECTION_CATEGORIES,
  PII_TYPES,
} from "@gatehouse/core/filters";
import type { UpstreamSummary } from "../../db/schema/gateway";
import { fill, parseTemplateUrl, refsIn } from "../proxy/templates";
import { checkReadOnlyPath } from "./sandbox";

// Registration input: validated and normalized here; sealed whole by the service.

export type Transport = "stdio" | "http";

/** What is sealed in mcp_servers.config. */
export interface UpstreamConfig {
  transport: Transport;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  read_only_paths?: string[];
  network?: boolean;
}

export interface ServerInput {
  name?: string;
  transport?: Transport;
  description?: string | null;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  read_only_paths?: string[];
  network?: boolean;
  timeout_seconds?: number;
  enabled?: boolean;
  filters?: Partial<Record<keyof FilterSettings, unknown>> | null;
}

/** Shown instead of every env and header value; sent back on update, it keeps the stored value. */
export const MASK = "***";
export const DEFAULT_TIMEOUT_S = 60;

// Lower case, digits and single dashes: no "_", so `server__tool` always splits at the first "__".
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const RESERVED_NAMES = new Set(["gatehouse", "filters", "servers", "tools"]);
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const FORBIDDEN_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "mcp-session-id",
  "mcp-protocol-version",
]);
const SENSITIVE_KEY = /token|secret|key|pass|auth|credential|cookie|session|bearer/i;

export function checkServerName(name: unknown): string {
  if (typeof name !== "string" || !NAME.test(name) || name.includes("--")) {
    throw invalid(
      "name",
      "1–32 lower-case letters, digits and single dashes, starting and ending with a letter or digit",
    );
  }
  if (RESERVED_NAMES.has(name)) throw invalid("name", `"${name}" is reserved`);
  return name;
}

function checkEnv(env: Record<string, string>): void {
  const keys = Object.keys(env);
  if (keys.length > 64) throw invalid("env", "at most 64 variables");
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_KEY.test(k)) throw invalid("env", `"${k}" is not a valid variable name`);
    if (k === "HOME") throw invalid("env", "HOME is the upstream's private directory and cannot be set");
    if (typeof v !== "string" || v.length > 16_384 || v.includes("\0"))
      throw invalid(`env.${k}`, "must be a string of at most 16384 characters");
    refsIn(v, `env.${k}`);
  }
}

function checkHeaders(headers: Record<string, string>): void {
  if (Object.keys(headers).length > 32) throw invalid("headers", "at most 32 headers");
  for (const [k, v] of Object.entries(headers)) {
    if (!HEADER_NAME.test(k)) throw invalid("headers", `"${k}" is not a valid header name`);
    if (FORBIDDEN_HEADERS.has(k.toLowerCase())) throw invalid("headers", `${k} is set by the gateway`);
    if (typeof v !== "string" || v.length > 8192 || /[\r\n\0]/.test(v))
      throw invalid(`headers.${k}`, "must be one line of at most 8192 characters");
    refsIn(v, `headers.${k}`);
  }
}

export function checkFilterOverrides(raw: unknown, field = "filters"): FilterOverrides {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalid(field, "must be an object");
  const out: FilterOverrides = {};
  for (const [kind, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    if (kind !== "secrets" && kind !== "pii" && kind !== "injection")
      throw invalid(`${field}.${kind}`, "unknown filter (secrets, pii or injection)");
    if (typeof value !== "object" || Array.isArray(value))
      throw invalid(`${field}.${kind}`, "must be an object");
    const v = value as { mode?: unknown; types?: unknown };
    if (!FILTER_MODES.includes(v.mode as never))
      throw invalid(`${field}.${kind}.mode`, `must be one of ${FILTER_MODES.join(", ")}`);
    const mode = v.mode as FilterSettings["secrets"]["mode"];
    if (kind === "secrets") {
      if (v.types !== undefined) throw invalid(`${field}.secrets.types`, "the secrets filter has no types");
      out.secrets = { mode };
      continue;
    }
    const allowed: readonly string[] = kind === "pii" ? PII_TYPES : INJECTION_CATEGORIES;
    let types: string[] | undefined;
    if (v.types !== undefined) {
      if (!Array.isArray(v.types) || v.types.some((t) => !allowed.includes(t as string)))
        throw invalid(`${field}.${kind}.types`, `must be a list of ${allowed.join(", ")}`);
      types = [...new Set(v.types as string[])];
    }
    if (kind === "pii") out.pii = { mode, ...(types ? { types: types as never } : {}) };
    else out.injection = { mode, ...(types ? { types: types as never } : {}) };
  }
  return out;
}

export function checkFilterSettings(raw: unknown, current: FilterSettings): FilterSettings {
  const given = checkFilterOverrides(raw, "body");
  return {
    secrets: given.secrets ?? current.secrets,
    pii: given.pii ?? current.pii,
    injection: given.injection ?? current.injection,
  };
}

/** Keeps stored values where the input sends the mask back. */
function keepMasked(
  given: Record<string, string> | undefined,
  stored: Record<string, string> | undefined,
  field: string,
): Record<string, string> | undefined {
  if (!given) return stored;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) {
    if (v === MASK) {
      const kept = stored?.[k];
      if (kept === undefined) throw invalid(`${field}.${k}`, "is new: give its value, not ***");
      out[k] = kept;
    } else out[k] = v;
  }
  return out;
}

export interface Normalized {
  config: UpstreamConfig;
  summary: UpstreamSummary;
  timeoutMs: number;
  enabled: boolean;
  filters: FilterOverrides;
}

/**
 * The registration `input` describes, merged over `stored` (an update keeps what it does not name,
 * and env or header values sent back as *** keep their stored values).
 */
export function normalize(
  input: ServerInput,
  stored: {
    config: UpstreamConfig;
    summary: UpstreamSummary;
    timeoutMs: number;
    enabled: boolean;
    filters: FilterOverrides;
  } | null,
  protectedPaths: string[],
): Normalized {
  const transport = input.transport ?? stored?.config.transport;
  if (transport !== "stdio" && transport !== "http") throw invalid("transport", "must be stdio or http");
  if (stored && transport !== stored.config.transport && input.transport)
    throw invalid("transport", "cannot change; delete the server and register it again");
  const prev = stored?.config;
  const config: UpstreamConfig = { transport };
  if (transport === "stdio") {
    if (input.url !== undefined || input.headers !== undefined) throw invalid("url", "only for http servers");
    const command = input.command ?? prev?.command;
    if (
      typeof command !== "string" ||
      command.trim() === "" ||
      command.length > 1024 ||
      command.includes("\0")
    )
      throw invalid("command", "is required (the program to start)");
    const args = input.args ?? prev?.args ?? [];
    if (args.length > 64 || args.some((a) => typeof a !== "string" || a.length > 4096 || a.includes("\0")))
      throw invalid("args", "at most 64 strings of at most 4096 characters");
    // Arguments are visible to every local user (ps): secrets go into env.
    for (const [i, a] of [command, ...args].entries()) {
      if (/\{\{\s*secret\s*:/i.test(a))
        throw invalid(
          i === 0 ? "command" : "args",
          "{{secret:}} references belong in env (arguments are visible in ps)",
        );
    }
    const env = keepMasked(input.env, prev?.env, "env") ?? {};
    checkEnv(env);
    const readOnly = [...new Set(input.read_only_paths ?? prev?.read_only_paths ?? [])];
    if (readOnly.length > 32) throw invalid("read_only_paths", "at most 32 paths");
    for (const p of readOnly) {
      const problem = checkReadOnlyPath(p, protectedPaths);
      if (problem) throw invalid("read_only_paths", `${p}: ${problem}`);
    }
    Object.assign(config, {
      command,
      args,
      env,
      read_only_paths: readOnly,
      network: input.network ?? prev?.network ?? true,
    });
  } else {
    if (input.command !== undefined || input.args !== undefined || input.env !== undefined)
      throw invalid("command", "only for stdio servers");
    if (input.read_only_paths !== undefined) throw invalid("read_only_paths", "only for stdio servers");
    const url = input.url ?? prev?.url;
    if (typeof url !== "string" || url.length > 2048) throw invalid("url", "is required (http or https)");
    parseTemplateUrl(url);
    const headers = keepMasked(input.headers, prev?.headers, "headers") ?? {};
    checkHeaders(headers);
    Object.assign(config, { url, headers });
  }
  const timeoutS = input.timeout_seconds ?? (stored ? stored.timeoutMs / 1000 : DEFAULT_TIMEOUT_S);
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 600)
    throw invalid("timeout_seconds", "must be an integer between 1 and 600");
  const description =
    input.description === null ? undefined : (input.description ?? stored?.summary.description ?? undefined);
  if (description !== undefined && (typeof description !== "string" || description.length > 500))
    throw invalid("description", "at most 500 characters");
  const filters = input.filters === undefined ? (stored?.filters ?? {}) : checkFilterOverrides(input.filters);
  return {
    config,
    summary: summarize(config, description),
    timeoutMs: timeoutS * 1000,
    enabled: input.enabled ?? stored?.enabled ?? true,
    filters,
  };
}

/** Every secret path the configuration references. */
export function secretRefs(config: UpstreamConfig): string[] {
  const refs = new Set<string>();
  for (const [k, v] of Object.entries(config.env ?? {})) for (const p of refsIn(v, `env.${k}`)) refs.add(p);
  for (const [k, v] of Object.entries(config.headers ?? {}))
    for (const p of refsIn(v, `headers.${k}`)) refs.add(p);
  if (config.url) for (const p of refsIn(config.url, "url")) refs.add(p);
  return [...refs].sort();
}

function maskedUrl(url: string): string {
  try {
    const u = new URL(url.replace(/\{\{secret:([^{}\s]+)\}\}/g, "GHREF$1GHREF"));
    for (const [k, v] of u.searchParams) {
      if (!/^GHREF.*GHREF$/.test(v)) u.searchParams.set(k, MASK);
    }
    return u.href.replace(/GHREF(.*?)GHREF/g, (_m, p: string) => `{{secret:${decodeURIComponent(p)}}}`);
  } catch {
    return "(invalid URL)";
  }
}

export function summarize(config: UpstreamConfig, description?: string): UpstreamSummary {
  const summary: UpstreamSummary = { secret_refs: secretRefs(config) };
  if (description) summary.description = description;
  if (config.transport === "stdio") {
    summary.command = config.command;
    summary.args = config.args ?? [];
    summary.env_keys = Object.keys(config.env ?? {}).sort();
    summary.read_only_paths = config.read_only_paths ?? [];
    summary.network = config.network ?? true;
  } else {
    summary.url = maskedUrl(config.url ?? "");
    summary.header_names = Object.keys(config.headers ?? {}).sort();
  }
  return summary;
}

/** The configuration with references replaced by the opened values, and those values for the filters. */
export function resolveConfig(
  config: UpstreamConfig,
  values: ReadonlyMap<string, string>,
): { env: Record<string, string>; headers: Record<string, string>; url?: string; known: string[] } {
  const known = new Set<string>(values.values());
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.env ?? {})) {
    env[k] = fill(v, values);
    if (SENSITIVE_KEY.test(k)) known.add(env[k] as string);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.headers ?? {})) {
    headers[k] = fill(v, values);
    if (SENSITIVE_KEY.test(k)) {
      known.add(headers[k] as string);
      // "Bearer <token>": the token alone too.
      const parts = (headers[k] as string).split(" ");
      if (parts.length === 2 && parts[1]) known.add(parts[1]);
    }
  }
  const url = config.url ? parseTemplateUrl(config.url).build(values).href : undefined;
  return { env, headers, url, known: [...known].filter((v) => v.length >= 6) };
}

export const notFound = (name: string) => new GatehouseError("not_found", `No MCP server "${name}"`);
