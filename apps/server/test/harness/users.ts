import { expect } from "bun:test";
import type { UserRole } from "../../src/auth/actor";
import { totpCode } from "../../src/auth/totp";
import { insertUser, type UserRow } from "../../src/modules/users/service";
import type { RequestOptions, TestApp, TestResponse } from "./app";

export const PASSWORD = "correct-horse-battery-staple";

let ipSeq = 0;
/** Moves the test client to a new address, so per-IP rate limits of one test never reach the next. */
export function freshIp(t: TestApp): string {
  ipSeq++;
  const ip = `10.77.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`;
  t.setPeer(ip);
  return ip;
}

let userSeq = 0;
export const uniqueName = (prefix = "user") =>
  `${prefix}-${++userSeq}-${Math.random().toString(36).slice(2, 6)}`;

/** Inserts a user directly (the same service the API uses), skipping the admin API and its rate limits. */
export async function seedUser(
  t: TestApp,
  opts: { username?: string; password?: string; role?: UserRole; policies?: string[] } = {},
): Promise<UserRow & { password: string }> {
  const password = opts.password ?? PASSWORD;
  const hash = await t.ctx.passwords.hash(password);
  const row = await t.ctx.store.tx((tx) =>
    insertUser(
      t.ctx,
      tx,
      { username: opts.username ?? uniqueName(), role: opts.role, policies: opts.policies },
      hash,
      { identity: "test-seed", ip: "127.0.0.1", requestId: "test-seed" },
    ),
  );
  return { ...row, password };
}

/** Signs in for scripts (POST /v1/auth/login) and returns the JWT; the user must not have TOTP. */
export async function login(t: TestApp, username: string, password = PASSWORD): Promise<string> {
  const r = await t.req<{ token: string }>("POST", "/v1/auth/login", { body: { username, password } });
  expect(r.status).toBe(200);
  return r.body.token;
}

export const cookieOf = (r: TestResponse<unknown>): string | undefined =>
  r.headers.get("set-cookie")?.match(/gh_session=([^;]*)/)?.[1];

export interface WebSession {
  cookie: string;
  csrf: string;
  /** Request options carrying the cookie (and the CSRF header unless `csrf: false`). */
  opts(extra?: RequestOptions & { csrf?: boolean }): RequestOptions;
}

export function webSessionFrom(r: TestResponse<{ csrf_token?: string }>): WebSession {
  const cookie = cookieOf(r);
  const csrf = r.body.csrf_token;
  if (!cookie || !csrf) throw new Error(`no session in response ${r.status}: ${r.text}`);
  return {
    cookie,
    csrf,
    opts: (extra = {}) => {
      const { csrf: withCsrf = true, ...rest } = extra;
      return {
        ...rest,
        headers: {
          cookie: `gh_session=${cookie}`,
          ...(withCsrf ? { "x-csrf-token": csrf } : {}),
          ...rest.headers,
        },
      };
    },
  };
}

/** Signs in to the web UI (POST /v1/auth/session); the user must not have TOTP. */
export async function webSignIn(t: TestApp, username: string, password = PASSWORD): Promise<WebSession> {
  const r = await t.req<{ csrf_token: string }>("POST", "/v1/auth/session", { body: { username, password } });
  expect(r.status).toBe(200);
  return webSessionFrom(r);
}

/** Enrolls TOTP through the API: the secret, the recovery codes shown once and the code it spent. */
export async function enrollTotp(t: TestApp, auth: RequestOptions) {
  const setup = await t.req<{ secret: string }>("POST", "/v1/me/totp/setup", auth);
  expect(setup.status).toBe(200);
  const code = totpCode(setup.body.secret, Date.now());
  const verify = await t.req<{ recovery_codes: string[] }>("POST", "/v1/me/totp/verify", {
    ...auth,
    body: { code },
  });
  expect(verify.status).toBe(200);
  return { secret: setup.body.secret, recoveryCodes: verify.body.recovery_codes, enrollmentCode: code };
}

/** A code for the next time step: accepted once (one step of drift), never the enrollment code again. */
export const nextCode = (secret: string, stepsAhead = 1) =>
  totpCode(secret, Date.now() + stepsAhead * 30_000);

export const auditRows = (t: TestApp) => t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
