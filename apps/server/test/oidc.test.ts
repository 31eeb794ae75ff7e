// OIDC single sign-on against a real identity provider: an `oidc-provider` instance on a loopback
// port, Gatehouse listening on another, and a hand-driven "browser" (fetch with manual redirects and
// its own cookie jar) that walks the IdP's login and consent pages. Loopback addresses only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import Provider from "oidc-provider";
import { createApp } from "../src/app";
import { readSettings } from "../src/modules/sso/settings";
import { insertUser, type UserRow } from "../src/modules/users/service";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import { freePort } from "./harness/postgres";
import { auditRows, enrollTotp, freshIp, PASSWORD, uniqueName, webSignIn } from "./harness/users";

const ROOT = "root-token-for-oidc-tests-0123456789abcdef";
const CLIENT_ID = "gatehouse";
const OUT = process.env.GATEHOUSE_TEST_OUT;

interface Account {
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  preferred_username?: string;
}

/** A real OpenID Provider on 127.0.0.1 (dev interactions: any login, then a consent page). */
async function startIdp(redirectUris: string[], accounts: Map<string, Account>) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CANARY,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ["oidc-test-cookie-key-0123456789"] },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A minimal browser: one cookie jar per origin, redirects followed by hand. */
class Browser {
  readonly jar = new Map<string, Map<string, string>>();
  constructor(private readonly gatehouse: string) {}

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string) {
    const jar = this.jar.get(origin) ?? new Map<string, string>();
    jar.set(name, value);
    this.jar.set(origin, jar);
  }

  async request(
    method: string,
    url: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ) {
    const u = new URL(url);
    const h = new Headers(headers);
    const jar = this.jar.get(u.origin);
    if (jar?.size) h.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    let body: string | undefined;
    if (form) {
      h.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers: h, body, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = !value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone) this.jar.get(u.origin)?.delete(name);
      else this.setCookie(u.origin, name, value);
    }
    if (OUT && u.origin === this.gatehouse) {
      appendFileSync(
        join(OUT, "hits.jsonl"),
        `${JSON.stringify({ method, path: u.pathname, status: res.status })}\n`,
      );
    }
    return res;
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request("GET", url, undefined, headers);
  }
}

const location = (res: Response, base: string) => new URL(res.headers.get("location") ?? "", base).href;

for (const engine of ENGINES) {
  describe(`OIDC single sign-on on ${engine}`, () => {
    let t: TestApp;
    let server: ReturnType<typeof createApp> | undefined;
    let idp: Awaited<ReturnType<typeof startIdp>>;
    let base = "";
    let viewerToken = "";
    const root = { token: ROOT };
    const accounts = new Map<string, Account>();

    const settings = (body: Record<string, unknown>) => t.req("POST", "/v1/settings/sso", { ...root, body });

    /** Walks login → IdP login page → consent → back; returns the callback URL without calling it. */
    async function toCallback(browser: Browser, accountId: string, opts: { abort?: boolean } = {}) {
      const start = await browser.get(`${base}/v1/auth/oidc/login`);
      expect(start.status).toBe(302);
      let url = location(start, base);
      expect(url.startsWith(`${idp.issuer}/`)).toBe(true);
      for (let hop = 0; hop < 20; hop++) {
        if (url.startsWith(base)) return url;
        const res = await browser.get(url);
        if (res.status >= 300 && res.status < 400) {
          url = location(res, url);
          continue;
        }
        const html = await res.text();
        expect(res.status, html.slice(0, 500)).toBe(200);
        const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
        const prompt = html.match(/name="prompt" value="([^"]+)"/)?.[1];
        if (!action || !prompt) throw new Error(`unexpected IdP page: ${html.slice(0, 300)}`);
        if (opts.abort) {
          const aborted = await browser.get(new URL(`${action}/abort`, url).href);
          url = location(aborted, url);
          continue;
        }
        const form: Record<string, string> =
          prompt === "login" ? { prompt, login: accountId, password: "any" } : { prompt };
        const posted = await browser.request("POST", new URL(action, url).href, form);
        expect(posted.status).toBeLessThan(400);
        url = location(posted, url);
      }
      throw new Error("too many redirects");
    }

    /** A whole sign-in; returns Gatehouse's answer to the callback. */
    async function signIn(accountId: string, browser = new Browser(base)) {
      const callback = await toCallback(browser, accountId);
      const res = await browser.get(callback);
      return { res, browser, callback, to: location(res, base) };
    }

    const sessionOf = (browser: Browser) => browser.cookie(base, "gh_session");

    async function whoami(browser: Browser) {
      const res = await browser.get(`${base}/v1/auth/whoami`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    async function userWithEmail(email: string, opts: { role?: "admin" | "viewer" } = {}): Promise<UserRow> {
      const hash = await t.ctx.passwords.hash(PASSWORD);
      return t.ctx.store.tx((tx) =>
        insertUser(t.ctx, tx, { username: uniqueName("sso"), email, role: opts.role }, hash, {
          identity: "test-seed",
          ip: "127.0.0.1",
          requestId: "test-seed",
        }),
      );
    }

    const account = (id: string, a: Account) => {
      accounts.set(id, a);
      return id;
    };

    const failuresFor = async (reason: string) =>
      (await auditRows(t)).filter(
        (e) => e.action === "auth.login.failure" && JSON.parse(e.metadata ?? "{}").reason === reason,
      );

    beforeAll(async () => {
      t = await createTestApp(engine, {
        GATEHOUSE_ROOT_TOKEN: ROOT,
        // The variables give the first values; the tests then save settings over them.
        GATEHOUSE_OAUTH_ISSUER: "https://idp.example.test",
        GATEHOUSE_OAUTH_CLIENT_ID: "from-env",
        GATEHOUSE_OAUTH_CLIENT_SECRET: "env-client-secret-value",
      });
      server = createApp(t.ctx).listen({ hostname: "127.0.0.1", port: 0 });
      base = `http://127.0.0.1:${server.server?.port}`;
      idp = await startIdp([`${base}/v1/auth/oidc/callback`, `${base}/v1/auth/callback`], accounts);
      const viewer = await t.req("POST", "/v1/auth/users", {
        ...root,
        body: { username: "sso-viewer", password: PASSWORD, role: "viewer" },
      });
      expect(viewer.status).toBe(201);
      const login = await t.req<{ token: string }>("POST", "/v1/auth/login", {
        body: { username: "sso-viewer", password: PASSWORD },
      });
      viewerToken = login.body.token;
    });

    afterAll(async () => {
      await server?.stop();
      await idp?.close();
      await t?.close();
    });

    test("GET /v1/settings/sso: the GATEHOUSE_OAUTH_* values until saved, secret blanked; admins only", async () => {
      const r = await t.req("GET", "/v1/settings/sso", root);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        enabled: true,
        issuer: "https://idp.example.test",
        client_id: "from-env",
        client_secret: "",
        client_secret_set: true,
        redirect_uri: "",
        scopes: "openid email profile",
        trust_unverified_email: false,
        auto_provision: false,
        default_role: "viewer",
      });
      expect(r.text).not.toContain("env-client-secret-value");
      const boot = await t.req<{ sso_enabled: boolean }>("GET", "/v1/ui/bootstrap");
      expect(boot.body.sso_enabled).toBe(true);
      expect((await t.req("GET", "/v1/settings/sso", { token: viewerToken })).status).toBe(403);
      expect((await t.req("GET", "/v1/settings/sso")).status).toBe(401);
    });

    test("POST /v1/settings/sso: validates, keeps a blank secret, seals it, audits without it", async () => {
      const first = await settings({ enabled: false });
      expect(first.status).toBe(200);
      expect(
        await t.req("POST", "/v1/settings/sso", { token: viewerToken, body: { enabled: false } }),
      ).toMatchObject({
        status: 403,
      });
      const bad: [Record<string, unknown>, string][] = [
        [{ issuer: "not a url" }, "issuer"],
        [{ issuer: "http://idp.lan" }, "issuer"],
        [{ scopes: "email profile" }, "scopes"],
        [{ redirect_uri: "ftp://x/cb" }, "redirect_uri"],
        [{ enabled: true, client_id: "" }, "client_id"],
        [{ default_role: "root" }, "default_role"],
        [{ client_secret: "x", clear_client_secret: true }, "clear_client_secret"],
      ];
      for (const [body, field] of bad) {
        const r = await settings(body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect((r.body as { field: string }).field).toBe(field);
      }
      // The first save with a blank secret keeps the variable's secret, now sealed in the database.
      expect((await readSettings(t.ctx)).clientSecret).toBe("env-client-secret-value");
      const { meta } = t.ctx.store.t;
      const [sealed] = await t.ctx.store.db.select().from(meta).where(eq(meta.key, "sso_client_secret"));
      expect(sealed?.value).toMatch(/^v1\.\d+\./);
      expect(sealed?.value).not.toContain("env-client-secret-value");
      const boot = await t.req<{ sso_enabled: boolean }>("GET", "/v1/ui/bootstrap");
      expect(boot.body.sso_enabled).toBe(false);

      const r = await settings({
        enabled: true,
        issuer: idp.issuer,
        client_id: CLIENT_ID,
        client_secret: CANARY,
        redirect_uri: `${base}/v1/auth/oidc/callback`,
        scopes: ["openid", "email", "profile"],
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        enabled: true,
        issuer: idp.issuer,
        client_id: CLIENT_ID,
        client_secret: "",
        client_secret_set: true,
        scopes: "openid email profile",
      });
      expect(r.text).not.toContain(CANARY);
      const keep = await settings({ client_secret: "", auto_provision: false });
      expect(keep.body).toMatchObject({ client_secret_set: true });
      expect((await readSettings(t.ctx)).clientSecret).toBe(CANARY);
      expect((await t.req<{ sso_enabled: boolean }>("GET", "/v1/ui/bootstrap")).body.sso_enabled).toBe(true);
      const rows = await auditRows(t);
      const updates = rows.filter((e) => e.action === "settings.sso.update");
      expect(updates.filter((e) => e.success).length).toBeGreaterThanOrEqual(3);
      expect(updates.some((e) => !e.success && e.identity === "user:sso-viewer")).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(CANARY);
      expect(JSON.stringify(rows)).not.toContain("env-client-secret-value");
    });

    test("POST /v1/settings/sso/test: discovery answers {ok}, or {ok:false, error}; admins only", async () => {
      const ok = await t.req<{ ok: boolean; issuer: string; end_session_endpoint: string }>(
        "POST",
        "/v1/settings/sso/test",
        root,
      );
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ ok: true, issuer: idp.issuer, pkce_s256: true });
      expect(ok.body.end_session_endpoint).toStartWith(idp.issuer);
      const dead = await t.req<{ ok: boolean; error: string }>("POST", "/v1/settings/sso/test", {
        ...root,
        body: { issuer: `http://127.0.0.1:${await freePort()}` },
      });
      expect(dead.status).toBe(200);
      expect(dead.body.ok).toBe(false);
      expect(dead.body.error).toBeString();
      const bad = await t.req("POST", "/v1/settings/sso/test", {
        ...root,
        body: { issuer: "http://idp.lan" },
      });
      expect(bad.status).toBe(400);
      const viewer = await t.req("POST", "/v1/settings/sso/test", { token: viewerToken });
      expect(viewer.status).toBe(403);
    });

    test("a verified email signs in: Lax state cookie, a normal cookie session, audited as sso", async () => {
      const user = await userWithEmail("Alice@Example.test");
      const id = account(`alice-${engine}`, { email: "alice@example.test", email_verified: true });
      const browser = new Browser(base);
      const start = await browser.get(`${base}/v1/auth/oidc/login`);
      const stateCookie = start.headers.getSetCookie().find((c) => c.startsWith("gh_oidc="));
      expect(stateCookie).toContain("HttpOnly");
      expect(stateCookie).toContain("SameSite=Lax");
      expect(stateCookie).toContain("Path=/v1/auth");
      const auth = new URL(location(start, base));
      expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
      expect(auth.searchParams.get("state")).toBeString();
      expect(auth.searchParams.get("nonce")).toBeString();
      expect(auth.searchParams.get("redirect_uri")).toBe(`${base}/v1/auth/oidc/callback`);
      // The cookie is sealed: none of the request's values can be read from it.
      expect(stateCookie).not.toContain(auth.searchParams.get("state") ?? "-");

      const { res, to } = await signIn(id, browser);
      expect(res.status).toBe(302);
      expect(to).toBe(`${base}/`);
      const cookies = res.headers.getSetCookie();
      expect(cookies.find((c) => c.startsWith("gh_session="))).toContain("HttpOnly; SameSite=Strict");
      expect(cookies.find((c) => c.startsWith("gh_oidc="))).toContain("Max-Age=0");
      expect(browser.cookie(base, "gh_oidc")).toBeUndefined();
      const me = await whoami(browser);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ identity: `user:${user.username}`, source: "session", kind: "user" });
      const sessions = await browser.get(`${base}/v1/auth/sessions`);
      const list = (await sessions.json()) as { sessions: { auth_method: string }[] };
      expect(list.sessions.map((s) => s.auth_method)).toEqual(["sso"]);
      const logins = (await auditRows(t)).filter(
        (e) => e.action === "auth.login" && e.identity === `user:${user.username}`,
      );
      expect(logins.map((e) => JSON.parse(e.metadata ?? "{}").method)).toEqual(["sso"]);
    });

    test("the /v1/auth/callback alias completes a sign-in too", async () => {
      await userWithEmail("carol@example.test");
      const id = account(`carol-${engine}`, { email: "carol@example.test", email_verified: true });
      expect((await settings({ redirect_uri: `${base}/v1/auth/callback` })).status).toBe(200);
      try {
        const { res, callback, to, browser } = await signIn(id);
        expect(new URL(callback).pathname).toBe("/v1/auth/callback");
        expect(res.status).toBe(302);
        expect(to).toBe(`${base}/`);
        expect((await whoami(browser)).status).toBe(200);
        // Without a state cookie the alias refuses like the main route.
        const again = await new Browser(base).get(callback);
        expect(location(again, base)).toBe(`${base}/signin?error=invalid_state`);
      } finally {
        await settings({ redirect_uri: `${base}/v1/auth/oidc/callback` });
      }
    });

    test("an unverified email is refused, unless trust_unverified_email is set", async () => {
      const user = await userWithEmail("dave@example.test");
      const id = account(`dave-${engine}`, { email: "dave@example.test", email_verified: false });
      const refused = await signIn(id);
      expect(refused.res.status).toBe(302);
      expect(refused.to).toBe(`${base}/signin?error=email_not_verified`);
      expect(refused.res.headers.getSetCookie().some((c) => c.startsWith("gh_session="))).toBe(false);
      expect(sessionOf(refused.browser)).toBeUndefined();
      expect((await failuresFor("email_not_verified")).length).toBe(1);

      expect((await settings({ trust_unverified_email: true })).status).toBe(200);
      try {
        const ok = await signIn(id);
        expect(ok.to).toBe(`${base}/`);
        expect((await whoami(ok.browser)).body).toMatchObject({ identity: `user:${user.username}` });
      } finally {
        await settings({ trust_unverified_email: false });
      }
    });

    test("an unknown email is refused without auto-provisioning and created with it (default role)", async () => {
      const email = `erin-${engine}@example.test`;
      const id = account(`erin-${engine}`, { email, email_verified: true, name: "Erin Example" });
      const refused = await signIn(id);
      expect(refused.to).toBe(`${base}/signin?error=no_account`);
      const [failure] = await failuresFor("no_account");
      expect(JSON.parse(failure?.metadata ?? "{}")).toMatchObject({ method: "sso", email });

      expect((await settings({ auto_provision: true })).status).toBe(200);
      try {
        const ok = await signIn(id);
        expect(ok.to).toBe(`${base}/`);
        const me = await whoami(ok.browser);
        expect(me.body).toMatchObject({
          identity: `user:erin-${engine}`,
          role: "viewer",
          display_name: "Erin Example",
        });
        const { users } = t.ctx.store.t;
        const [row] = await t.ctx.store.db.select().from(users).where(eq(users.email, email));
        expect(row).toMatchObject({ role: "viewer", authSource: "oidc", passwordHash: null, enabled: true });
        // A second sign-in finds the same user instead of creating another.
        expect((await signIn(id)).to).toBe(`${base}/`);
        expect((await t.ctx.store.db.select().from(users).where(eq(users.email, email))).length).toBe(1);

        // Another default role; a taken username gets a suffix.
        expect((await settings({ default_role: "approver" })).status).toBe(200);
        const other = account(`erin2-${engine}`, {
          email: `erin-${engine}@other.test`,
          email_verified: true,
          preferred_username: `erin-${engine}`,
        });
        const second = await signIn(other);
        expect(second.to).toBe(`${base}/`);
        expect((await whoami(second.browser)).body).toMatchObject({
          identity: `user:erin-${engine}-2`,
          role: "approver",
        });
      } finally {
        await settings({ auto_provision: false, default_role: "viewer" });
      }
    });

    test("a tampered state parameter or state cookie is refused", async () => {
      await userWithEmail("frank@example.test");
      const id = account(`frank-${engine}`, { email: "frank@example.test", email_verified: true });

      const browser = new Browser(base);
      const callback = new URL(await toCallback(browser, id));
      callback.searchParams.set("state", `${callback.searchParams.get("state")}x`);
      const forged = await browser.get(callback.href);
      expect(forged.status).toBe(302);
      expect(location(forged, base)).toBe(`${base}/signin?error=invalid_state`);
      expect(sessionOf(browser)).toBeUndefined();

      const other = new Browser(base);
      const cb2 = await toCallback(other, id);
      const sealed = other.cookie(base, "gh_oidc") ?? "";
      const flipped = `${sealed.slice(0, -3)}${sealed.at(-3) === "A" ? "B" : "A"}${sealed.slice(-2)}`;
      other.setCookie(base, "gh_oidc", flipped);
      const tampered = await other.get(cb2);
      expect(location(tampered, base)).toBe(`${base}/signin?error=invalid_state`);
      expect(sessionOf(other)).toBeUndefined();
      expect((await failuresFor("invalid_state")).length).toBeGreaterThanOrEqual(2);
    });

    test("a replayed authorization code is refused", async () => {
      await userWithEmail("grace@example.test");
      const id = account(`grace-${engine}`, { email: "grace@example.test", email_verified: true });
      const browser = new Browser(base);
      const callback = await toCallback(browser, id);
      const stateCookie = browser.cookie(base, "gh_oidc") ?? "";
      const first = await browser.get(callback);
      expect(location(first, base)).toBe(`${base}/`);
      // An attacker who kept both the callback URL and the state cookie tries again.
      const attacker = new Browser(base);
      attacker.setCookie(base, "gh_oidc", stateCookie);
      const replay = await attacker.get(callback);
      expect(replay.status).toBe(302);
      expect(location(replay, base)).toBe(`${base}/signin?error=sso_failed`);
      expect(sessionOf(attacker)).toBeUndefined();
      expect(t.logs.some((l) => l.includes("sso sign-in failed") && l.includes("invalid_grant"))).toBe(true);
    });

    test("a user with TOTP enrolled is not asked for it via SSO (password sign-in still is)", async () => {
      freshIp(t);
      const user = await userWithEmail("heidi@example.test");
      const web = await webSignIn(t, user.username);
      await enrollTotp(t, web.opts());
      const password = await t.req<{ totp_required?: boolean }>("POST", "/v1/auth/session", {
        body: { username: user.username, password: PASSWORD },
      });
      expect(password.body.totp_required).toBe(true);
      const id = account(`heidi-${engine}`, { email: "heidi@example.test", email_verified: true });
      const { to, browser } = await signIn(id);
      expect(to).toBe(`${base}/`);
      expect((await whoami(browser)).body).toMatchObject({ identity: `user:${user.username}` });
      const session = await browser.get(`${base}/v1/auth/session`);
      expect(((await session.json()) as { user: { totp_enabled: boolean } }).user.totp_enabled).toBe(true);
    });

    test("a disabled user and an IdP refusal both land on /signin with a code", async () => {
      const user = await userWithEmail("ivan@example.test");
      const off = await t.req("PUT", `/v1/auth/users/${user.username}`, {
        ...root,
        body: { enabled: false },
      });
      expect(off.status).toBe(200);
      const id = account(`ivan-${engine}`, { email: "ivan@example.test", email_verified: true });
      const disabled = await signIn(id);
      expect(disabled.to).toBe(`${base}/signin?error=account_disabled`);
      const [failure] = await failuresFor("account_disabled");
      expect(failure?.identity).toBe(`user:${user.username}`);

      const browser = new Browser(base);
      const callback = await toCallback(browser, id, { abort: true });
      expect(new URL(callback).searchParams.get("error")).toBe("access_denied");
      const denied = await browser.get(callback);
      expect(location(denied, base)).toBe(`${base}/signin?error=access_denied`);

      const noEmail = account(`judy-${engine}`, {});
      expect((await signIn(noEmail)).to).toBe(`${base}/signin?error=email_missing`);
    });

    test("POST /v1/auth/oidc/logout ends the session and returns the IdP's end-session URL", async () => {
      await userWithEmail("kim@example.test");
      const id = account(`kim-${engine}`, { email: "kim@example.test", email_verified: true });
      const { browser } = await signIn(id);
      const session = await browser.get(`${base}/v1/auth/session`);
      const { csrf_token } = (await session.json()) as { csrf_token: string };
      const noCsrf = await browser.request("POST", `${base}/v1/auth/oidc/logout`);
      expect(noCsrf.status).toBe(403);
      const out = await browser.request("POST", `${base}/v1/auth/oidc/logout`, undefined, {
        "x-csrf-token": csrf_token,
      });
      expect(out.status).toBe(200);
      const body = (await out.json()) as { signed_out: boolean; end_session_url: string };
      expect(body.signed_out).toBe(true);
      const end = new URL(body.end_session_url);
      expect(end.href.startsWith(`${idp.issuer}/`)).toBe(true);
      expect(end.searchParams.get("client_id")).toBe(CLIENT_ID);
      expect(sessionOf(browser)).toBeUndefined();
      expect((await whoami(browser)).status).toBe(401);

      // A password session has no IdP session to end.
      freshIp(t);
      const local = await userWithEmail("lou@example.test");
      const web = await webSignIn(t, local.username);
      const plain = await t.req<{ end_session_url: string | null }>(
        "POST",
        "/v1/auth/oidc/logout",
        web.opts(),
      );
      expect(plain.status).toBe(200);
      expect(plain.body.end_session_url).toBeNull();
      expect((await t.req("POST", "/v1/auth/oidc/logout")).status).toBe(401);
    });

    test("while SSO is off the sign-in routes answer 404 and the bootstrap says so", async () => {
      expect((await settings({ enabled: false })).status).toBe(200);
      try {
        const browser = new Browser(base);
        for (const path of [
          "/v1/auth/oidc/login",
          "/v1/auth/oidc/callback?code=x&state=y",
          "/v1/auth/callback",
        ]) {
          const r = await browser.get(`${base}${path}`);
          expect(r.status, path).toBe(404);
          expect(((await r.json()) as { code: string }).code).toBe("not_found");
        }
        expect((await t.req<{ sso_enabled: boolean }>("GET", "/v1/ui/bootstrap")).body.sso_enabled).toBe(
          false,
        );
      } finally {
        await settings({ enabled: true });
      }
    });

    test("an unreachable IdP sends the browser back to /signin", async () => {
      const saved = await readSettings(t.ctx);
      expect((await settings({ issuer: `http://127.0.0.1:${await freePort()}` })).status).toBe(200);
      try {
        const r = await new Browser(base).get(`${base}/v1/auth/oidc/login`);
        expect(r.status).toBe(302);
        expect(location(r, base)).toBe(`${base}/signin?error=idp_unavailable`);
      } finally {
        await settings({ issuer: saved.issuer });
      }
      const rows = JSON.stringify(await auditRows(t));
      expect(rows).not.toContain(CANARY);
      expect(t.logs.join("\n")).not.toContain(CANARY);
    });
  });
}
