import { readCredentials } from "./credentials";
import { CliError, EXIT, type Io } from "./io";
import { type Credentials, type FetchLike, Session } from "./session";

type Body = Record<string, unknown>;

/** A request a human must approve first (HTTP 202): exit code 4 unless the command waits for it. */
export class PendingApproval extends CliError {
  constructor(
    readonly requestId: string,
    readonly expiresAt: string | undefined,
  ) {
    super(
      `approval required: request ${requestId} is pending${expiresAt ? ` until ${expiresAt}` : ""}; ` +
        `an admin or approver can run \`gatehouse requests approve ${requestId}\` (retry with --wait to wait for it)`,
      EXIT.pending,
    );
    this.name = "PendingApproval";
  }
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

function normalizeUrl(raw: string, io: Io): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--url is not a URL: ${raw}`, EXIT.usage);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new CliError("--url must be http(s)", EXIT.usage);
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    io.stderr(`warning: ${url.origin} is plain http: credentials and values cross the network unencrypted`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The server URL alone (login needs no credentials yet). */
export function resolveUrl(flag: string | undefined, io: Io): string {
  const raw = flag?.trim() || io.env.GATEHOUSE_URL?.trim() || readCredentials(io.env)?.url;
  if (!raw)
    throw new CliError("no server: pass --url, set GATEHOUSE_URL or run `gatehouse login`", EXIT.usage);
  return normalizeUrl(raw, io);
}

/**
 * Which credentials a client command uses, first match wins: --token, GATEHOUSE_TOKEN, an AppRole
 * from GATEHOUSE_ROLE_ID + GATEHOUSE_SECRET_ID, then the token `gatehouse login` saved for this server.
 */
export function resolveCredentials(url: string, flagToken: string | undefined, io: Io): Credentials {
  const env = io.env;
  if (flagToken?.trim()) return { kind: "token", token: flagToken.trim() };
  if (env.GATEHOUSE_TOKEN?.trim()) return { kind: "token", token: env.GATEHOUSE_TOKEN.trim() };
  const roleId = env.GATEHOUSE_ROLE_ID?.trim();
  const secretId = env.GATEHOUSE_SECRET_ID?.trim();
  if (roleId && secretId) return { kind: "approle", roleId, secretId };
  const saved = readCredentials(env);
  if (saved && normalizeUrl(saved.url, io) === url) return { kind: "token", token: saved.token };
  if (saved) {
    throw new CliError(
      `the saved login is for ${saved.url}, not ${url}: run \`gatehouse login --url ${url}\``,
      EXIT.auth,
    );
  }
  throw new CliError("not signed in: run `gatehouse login`, or set GATEHOUSE_TOKEN", EXIT.auth);
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "does it exist?"). */
  allow?: number[];
}

export interface Reply<T> {
  status: number;
  body: T;
}

/** Describes an error envelope as `message (HTTP 403, forbidden)`. */
export function describeError(status: number, body: unknown): string {
  const b = (typeof body === "object" && body !== null ? body : {}) as { error?: unknown; code?: unknown };
  const message =
    typeof b.error === "string" ? b.error : typeof body === "string" && body ? body : "request failed";
  return `${message} (HTTP ${status}${typeof b.code === "string" ? `, ${b.code}` : ""})`;
}

/** Encodes a secret path for the URL: segment by segment, keeping the slashes. */
export const encodePath = (path: string) => path.split("/").map(encodeURIComponent).join("/");

export class Client {
  readonly session: Session;
  constructor(
    readonly url: string,
    credentials: Credentials,
    fetchImpl?: FetchLike,
  ) {
    this.session = new Session({ url, credentials, fetch: fetchImpl });
  }

  /** Sends a request; errors become CliErrors with the exit code they mean (401/403 → 3, 202 → 4). */
  async request<T = Body>(method: string, path: string, opts: RequestOptions = {}): Promise<Reply<T>> {
    const qs = Object.entries(opts.query ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join("&");
    const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await this.session.fetch(`${this.url}${path}${qs ? `?${qs}` : ""}`, {
      method,
      headers,
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    if (opts.allow?.includes(res.status)) return { status: res.status, body: parsed as T };
    if (res.status === 202) {
      const p = parsed as { request_id?: string; expires_at?: string };
      throw new PendingApproval(String(p.request_id ?? "?"), p.expires_at);
    }
    if (res.status === 401) {
      throw new CliError(
        `${describeError(res.status, parsed)}; sign in again with \`gatehouse login\``,
        EXIT.auth,
      );
    }
    if (res.status === 403) throw new CliError(describeError(res.status, parsed), EXIT.auth);
    if (res.status >= 400) throw new CliError(describeError(res.status, parsed), EXIT.failure);
    return { status: res.status, body: parsed as T };
  }

  async get<T = Body>(path: string, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>("GET", path, opts)).body;
  }
  async post<T = Body>(path: string, body?: unknown, opts?: RequestOptions): Promise<T> {
    return (await this.request<T>("POST", path, { ...opts, body: body ?? {} })).body;
  }
}

export function clientFor(values: { url?: string; token?: string }, io: Io): Client {
  const url = resolveUrl(values.url, io);
  return new Client(url, resolveCredentials(url, values.token, io));
}

/** A request as GET /v1/requests/:id shows it (plus what an approved lease hands back). */
export interface RequestView {
  request_id: string;
  status: string;
  path: string;
  kind: string;
  decision_reason?: string | null;
  expires_at?: string;
  [k: string]: unknown;
}

/**
 * Waits up to `seconds` for a pending request to be decided (long polls of at most 60 s each), and
 * returns it as it stands then.
 */
export async function waitForDecision(
  client: Client,
  id: string,
  seconds: number,
  io: Io,
): Promise<RequestView> {
  const deadline = Date.now() + seconds * 1000;
  io.stderr(`waiting up to ${seconds} s for a human to approve request ${id}...`);
  for (;;) {
    const left = Math.ceil((deadline - Date.now()) / 1000);
    const r = await client.get<RequestView>(`/v1/requests/${encodeURIComponent(id)}`, {
      query: { wait: Math.max(0, Math.min(60, left)) },
    });
    if (r.status !== "pending" || Date.now() >= deadline) return r;
  }
}

/** The outcome of a waited-for request as an error, when it is not approved. */
export function notApproved(r: RequestView): CliError {
  if (r.status === "pending") return new PendingApproval(r.request_id, r.expires_at);
  if (r.status === "denied")
    return new CliError(
      `request ${r.request_id} was denied${r.decision_reason ? `: ${r.decision_reason}` : ""}`,
      EXIT.auth,
    );
  return new CliError(`request ${r.request_id} is ${r.status}`, EXIT.failure);
}
