import { CliError } from "./io";

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export type Credentials =
  | { kind: "approle"; roleId: string; secretId: string }
  | { kind: "token"; token: string };

export interface SessionOptions {
  /** The server's base URL, without a trailing slash. */
  url: string;
  credentials: Credentials;
  fetch?: FetchLike;
  now?: () => number;
}

/** What the server says the credentials are (`GET /v1/auth/whoami`): the only source of identity. */
export interface Whoami {
  identity: string;
  policies: string[];
  expires_in: number | null;
}

interface ErrorBody {
  error?: string;
  code?: string;
}

/** A token is renewed when a fifth of its lifetime is left (at least 10 s, at most 5 minutes before expiry). */
const RENEW_SHARE = 0.2;
const RENEW_MIN_MS = 10_000;
const RENEW_MAX_MS = 5 * 60_000;

async function describe(res: Response): Promise<string> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {}
  const message = typeof body.error === "string" ? body.error : res.statusText || "request failed";
  return `${message} (HTTP ${res.status}${body.code ? `, ${body.code}` : ""})`;
}

/**
 * Authentication against a Gatehouse server. AppRole credentials are exchanged at
 * `/v1/auth/approle/login` and exchanged again before the token expires (or once after a 401); a
 * bare token is used as it is. Nothing here decides who the caller is: the server does, per request.
 */
export class Session {
  private token?: string;
  private issuedAt = 0;
  private expiresAt = 0;
  private pending?: Promise<string>;
  private readonly doFetch: FetchLike;
  private readonly now: () => number;

  constructor(private readonly opts: SessionOptions) {
    this.doFetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    if (opts.credentials.kind === "token") this.token = opts.credentials.token;
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.doFetch(url, init);
    } catch (e) {
      throw new CliError(`cannot reach ${this.opts.url}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async login(): Promise<string> {
    const c = this.opts.credentials;
    if (c.kind !== "approle")
      throw new CliError("the token was refused and cannot be renewed without an AppRole");
    const res = await this.call(`${this.opts.url}/v1/auth/approle/login`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ role_id: c.roleId, secret_id: c.secretId }),
    });
    if (!res.ok) throw new CliError(`AppRole login failed: ${await describe(res)}`);
    const body = (await res.json()) as { token?: unknown; expires_in?: unknown };
    if (typeof body.token !== "string") throw new CliError("AppRole login answered without a token");
    this.token = body.token;
    this.issuedAt = this.now();
    const ttl = typeof body.expires_in === "number" ? body.expires_in * 1000 : 3_600_000;
    this.expiresAt = this.issuedAt + ttl;
    return body.token;
  }

  /** One login at a time: concurrent callers share it. */
  private relogin(): Promise<string> {
    this.pending ??= this.login().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private needsRenewal(): boolean {
    if (this.opts.credentials.kind !== "approle") return false;
    if (!this.token) return true;
    const share = (this.expiresAt - this.issuedAt) * RENEW_SHARE;
    const margin = Math.min(RENEW_MAX_MS, Math.max(RENEW_MIN_MS, share));
    return this.now() >= this.expiresAt - margin;
  }

  /** The bearer token to send now, renewed first when it is close to expiry. */
  async bearer(): Promise<string> {
    if (this.needsRenewal()) return this.relogin();
    return this.token as string;
  }

  /** Checks the credentials with the server (login, then whoami) and returns who they are. */
  async start(): Promise<Whoami> {
    const res = await this.fetch(`${this.opts.url}/v1/auth/whoami`, {
      headers: { accept: "application/json" },
    });
    if (!res.ok) throw new CliError(`the server refused the credentials: ${await describe(res)}`);
    return (await res.json()) as Whoami;
  }

  /** fetch with the bearer token; an AppRole session logs in again once if the server answers 401. */
  readonly fetch: FetchLike = async (url, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${await this.bearer()}`);
    const send = () => this.call(String(url), { ...init, headers });
    const res = await send();
    if (res.status !== 401 || this.opts.credentials.kind !== "approle") return res;
    headers.set("authorization", `Bearer ${await this.relogin()}`);
    return send();
  };
}
