import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { issueSetupToken } from "../src/modules/auth/service";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import {
  auditRows,
  cookieOf,
  enrollTotp,
  freshIp,
  login,
  nextCode,
  PASSWORD,
  seedUser,
  webSessionFrom,
  webSignIn,
} from "./harness/users";

const ROOT_TOKEN = "root-token-for-tests-0123456789abcdef";

type TokenBody = { token: string; identity: string; role: string; expires_in: number };
type TotpBody = { totp_required: true; totp_token: string };

for (const engine of ENGINES) {
  describe(`first-run setup on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine);
    });
    afterAll(() => t.close());

    test("creates the first admin once, signs it in, then answers 410", async () => {
      freshIp(t);
      const body = { username: "first-admin", password: CANARY, display_name: "First" };
      const early = await t.req<{ code: string }>("POST", "/v1/setup", {
        body: { ...body, setup_token: "x" },
      });
      expect(early.status).toBe(410);

      const token = await issueSetupToken(t.ctx);
      expect(token).toBeString();
      const wrong = await t.req<{ code: string }>("POST", "/v1/setup", {
        body: { ...body, setup_token: "not-the-link" },
      });
      expect(wrong.status).toBe(403);

      const ok = await t.req<{ user: { username: string; role: string }; csrf_token: string }>(
        "POST",
        "/v1/setup",
        { body: { ...body, setup_token: token } },
      );
      expect(ok.status).toBe(201);
      expect(ok.body.user).toMatchObject({ username: "first-admin", role: "admin" });
      expect(cookieOf(ok)).toBeString();
      expect(ok.headers.get("set-cookie")).toContain("HttpOnly; SameSite=Strict");
      const s = webSessionFrom(ok);
      const me = await t.req<{ user: { username: string } }>("GET", "/v1/auth/session", s.opts());
      expect(me.body.user.username).toBe("first-admin");

      const again = await t.req<{ code: string }>("POST", "/v1/setup", {
        body: { ...body, setup_token: token },
      });
      expect(again.status).toBe(410);
      expect(again.body.code).toBe("gone");
      expect(await issueSetupToken(t.ctx)).toBeNull();
      // The password doubled as the canary: the admin can sign in with it, and nothing logged it.
      expect(await login(t, "first-admin", CANARY)).toBeString();
      const audit = JSON.stringify(await auditRows(t));
      expect(audit).toContain("user.create");
      expect(audit).not.toContain(CANARY);
    });
  });

  describe(`password and token sign-in on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT_TOKEN });
    });
    afterAll(() => t.close());

    test("login returns a 24h token that whoami and refresh accept", async () => {
      freshIp(t);
      const u = await seedUser(t, { role: "approver" });
      const r = await t.req<TokenBody>("POST", "/v1/auth/login", {
        body: { username: u.username, password: PASSWORD },
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ identity: `user:${u.username}`, role: "approver", expires_in: 86400 });
      const who = await t.req<{ identity: string; source: string; expires_in: number }>(
        "GET",
        "/v1/auth/whoami",
        { token: r.body.token },
      );
      expect(who.status).toBe(200);
      expect(who.body).toMatchObject({ identity: `user:${u.username}`, source: "jwt" });
      const refreshed = await t.req<TokenBody>("POST", "/v1/auth/refresh", { token: r.body.token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.token).not.toBe(r.body.token);
      const [row] = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.users)
        .where(eq(t.ctx.store.t.users.id, u.id));
      expect(row?.lastLoginAt).toBeNumber();
    });

    test("a wrong password is 401 and audited without the password", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const r = await t.req<{ code: string; error: string }>("POST", "/v1/auth/login", {
        body: { username: u.username, password: CANARY },
      });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe("unauthorized");
      const unknown = await t.req("POST", "/v1/auth/login", { body: { username: "nobody", password: "x" } });
      expect(unknown.status).toBe(401);
      const rows = await auditRows(t);
      expect(rows.some((e) => e.action === "auth.login.failure" && e.identity === `user:${u.username}`)).toBe(
        true,
      );
      expect(JSON.stringify(rows)).not.toContain(CANARY);
    });

    test("whoami refuses a forged token and anonymous callers", async () => {
      expect((await t.req("GET", "/v1/auth/whoami", { token: "not.a.jwt" })).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/whoami")).status).toBe(401);
      const r = await t.req("GET", "/v1/auth/whoami", { headers: { authorization: "Basic abc" } });
      expect(r.status).toBe(401);
    });

    test("refresh refuses the root token (400) and a pending TOTP token (401)", async () => {
      freshIp(t);
      const root = await t.req<{ code: string }>("POST", "/v1/auth/refresh", { token: ROOT_TOKEN });
      expect(root.status).toBe(400);
      const u = await seedUser(t);
      const { secret } = await enrollTotp(t, { token: await login(t, u.username) });
      expect(secret).toBeString();
      const step = await t.req<TotpBody>("POST", "/v1/auth/login", {
        body: { username: u.username, password: PASSWORD },
      });
      expect(step.body.totp_required).toBe(true);
      const pending = await t.req("POST", "/v1/auth/refresh", { token: step.body.totp_token });
      expect(pending.status).toBe(401);
    });

    test("login is rate limited per IP with Retry-After, counting failures", async () => {
      freshIp(t);
      const u = await seedUser(t);
      for (let i = 0; i < 5; i++) {
        const r = await t.req("POST", "/v1/auth/login", {
          body: { username: u.username, password: "wrong-pass" },
        });
        expect(r.status).toBe(401);
      }
      const limited = await t.req<{ code: string; retry_after: number }>("POST", "/v1/auth/login", {
        body: { username: u.username, password: PASSWORD },
      });
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // The account key is locked too: another address cannot keep guessing this user's password.
      freshIp(t);
      const elsewhere = await t.req("POST", "/v1/auth/login", {
        body: { username: u.username, password: "x" },
      });
      expect(elsewhere.status).toBe(429);
    });
  });

  describe(`TOTP at sign-in on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine);
    });
    afterAll(() => t.close());

    test("a TOTP code works once; a replay and the enrollment code are refused", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const { secret, enrollmentCode } = await enrollTotp(t, { token: await login(t, u.username) });
      const first = await t.req<TotpBody>("POST", "/v1/auth/login", {
        body: { username: u.username, password: PASSWORD },
      });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ totp_required: true });
      expect(first.body).not.toHaveProperty("token");
      const totp_token = first.body.totp_token;

      // The code used at enrollment (same time step) cannot be replayed at sign-in.
      const enrollment = await t.req("POST", "/v1/auth/login/totp", {
        body: { totp_token, code: enrollmentCode },
      });
      expect(enrollment.status).toBe(401);

      const code = nextCode(secret);
      const ok = await t.req<TokenBody & { recovery_code_consumed: boolean }>("POST", "/v1/auth/login/totp", {
        body: { totp_token, code },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.recovery_code_consumed).toBe(false);
      expect((await t.req("GET", "/v1/auth/whoami", { token: ok.body.token })).status).toBe(200);

      const replay = await t.req<{ code: string }>("POST", "/v1/auth/login/totp", {
        body: { totp_token, code },
      });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe("unauthorized");
    });

    test("a recovery code signs in once and is refused the second time", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const { recoveryCodes } = await enrollTotp(t, { token: await login(t, u.username) });
      expect(recoveryCodes).toHaveLength(10);
      const code = recoveryCodes[3] as string;
      const start = async () =>
        (
          await t.req<TotpBody>("POST", "/v1/auth/session", {
            body: { username: u.username, password: PASSWORD },
          })
        ).body.totp_token;
      const ok = await t.req<{ recovery_code_consumed: boolean; csrf_token: string }>(
        "POST",
        "/v1/auth/session/totp",
        { body: { totp_token: await start(), code: code.toLowerCase().replace("-", " ") } },
      );
      expect(ok.status).toBe(200);
      expect(ok.body.recovery_code_consumed).toBe(true);
      expect(cookieOf(ok)).toBeString();
      const again = await t.req("POST", "/v1/auth/session/totp", {
        body: { totp_token: await start(), code },
      });
      expect(again.status).toBe(401);
      const status = await t.req<{ recovery_codes_remaining: number }>(
        "GET",
        "/v1/me/totp",
        webSessionFrom(ok).opts(),
      );
      expect(status.body.recovery_codes_remaining).toBe(9);
      expect(JSON.stringify(await auditRows(t))).not.toContain(code);
    });

    test("the TOTP step refuses a token that is not a pending-TOTP token", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const token = await login(t, u.username);
      const r = await t.req("POST", "/v1/auth/session/totp", { body: { totp_token: token, code: "123456" } });
      expect(r.status).toBe(401);
      const garbage = await t.req("POST", "/v1/auth/login/totp", {
        body: { totp_token: "x.y.z", code: "1" },
      });
      expect(garbage.status).toBe(401);
    });

    test("an access token signs in to the UI directly, or through TOTP once the user enrolled", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const jwt = await login(t, u.username);
      const pat = await t.req<{ token: string }>("POST", "/v1/me/tokens", {
        token: jwt,
        body: { name: "cli" },
      });
      const direct = await t.req<{ user: { username: string } }>("POST", "/v1/auth/session/token", {
        body: { token: pat.body.token },
      });
      expect(direct.status).toBe(200);
      expect(direct.body.user.username).toBe(u.username);
      expect(cookieOf(direct)).toBeString();

      const { secret } = await enrollTotp(t, { token: jwt });
      const step = await t.req<TotpBody>("POST", "/v1/auth/session/token", {
        body: { token: pat.body.token },
      });
      expect(step.status).toBe(200);
      expect(step.body.totp_required).toBe(true);
      expect(cookieOf(step)).toBeUndefined();
      const done = await t.req<{ csrf_token: string }>("POST", "/v1/auth/session/totp", {
        body: { totp_token: step.body.totp_token, code: nextCode(secret) },
      });
      expect(done.status).toBe(200);
      const sessions = await t.req<{ sessions: { auth_method: string }[] }>(
        "GET",
        "/v1/auth/sessions",
        webSessionFrom(done).opts(),
      );
      expect(sessions.body.sessions.map((s) => s.auth_method)).toContain("totp");
    });

    test("a wrong, revoked or non-prefixed access token cannot sign in", async () => {
      freshIp(t);
      expect((await t.req("POST", "/v1/auth/session/token", { body: { token: "ghpat_nope" } })).status).toBe(
        401,
      );
      expect((await t.req("POST", "/v1/auth/session/token", { body: { token: "abc" } })).status).toBe(401);
    });
  });

  describe(`web sessions on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine);
    });
    afterAll(() => t.close());

    test("session sign-in sets an HttpOnly cookie; GET gives the session's CSRF token again (every tab keeps working)", async () => {
      freshIp(t);
      const u = await seedUser(t, { role: "viewer" });
      const r = await t.req<{ user: { username: string }; csrf_token: string }>("POST", "/v1/auth/session", {
        body: { username: u.username, password: PASSWORD },
      });
      expect(r.status).toBe(200);
      expect(r.body.user.username).toBe(u.username);
      expect(r.headers.get("set-cookie")).toMatch(/gh_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
      expect(r.headers.get("set-cookie")).not.toContain("Secure");
      const s = webSessionFrom(r);
      const again = await t.req<{ csrf_token: string; identity: string }>(
        "GET",
        "/v1/auth/session",
        s.opts({ csrf: false }),
      );
      expect(again.status).toBe(200);
      expect(again.body.identity).toBe(`user:${u.username}`);
      // Another tab's page load gets the same token, so the first tab's writes still pass.
      expect(again.body.csrf_token).toBe(s.csrf);
      // Another session of the same user has its own token, which this session does not accept.
      const other = webSessionFrom(
        await t.req("POST", "/v1/auth/session", { body: { username: u.username, password: PASSWORD } }),
      );
      expect(other.csrf).not.toBe(s.csrf);
      const crossed = await t.req<{ code: string }>(
        "DELETE",
        "/v1/auth/session",
        s.opts({ csrf: false, headers: { "x-csrf-token": other.csrf } }),
      );
      expect(crossed.status).toBe(403);
      expect(crossed.body.code).toBe("csrf_failed");
      expect((await t.req("DELETE", "/v1/auth/session", s.opts())).status).toBe(200);
      const bearer = await t.req<{ user: null }>("GET", "/v1/auth/session", {
        token: await login(t, u.username),
      });
      expect(bearer.body.user).toBeNull();
    });

    test("a wrong password is 401 and GET without credentials is 401", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const r = await t.req("POST", "/v1/auth/session", {
        body: { username: u.username, password: "nope-nope" },
      });
      expect(r.status).toBe(401);
      expect(cookieOf(r)).toBeUndefined();
      expect((await t.req("GET", "/v1/auth/session")).status).toBe(401);
      const bogus = await t.req("GET", "/v1/auth/session", { headers: { cookie: "gh_session=forged" } });
      expect(bogus.status).toBe(401);
    });

    test("a cookie POST/DELETE without X-CSRF-Token is 403 csrf_failed; with it, sign-out works", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const noCsrf = await t.req<{ code: string }>(
        "POST",
        "/v1/me/tokens",
        s.opts({ csrf: false, body: { name: "x" } }),
      );
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.body.code).toBe("csrf_failed");
      const wrong = await t.req<{ code: string }>(
        "DELETE",
        "/v1/auth/session",
        s.opts({ headers: { "x-csrf-token": "wrong" } }),
      );
      expect(wrong.body.code).toBe("csrf_failed");
      // Safe methods need no CSRF token.
      expect((await t.req("GET", "/v1/auth/sessions", s.opts({ csrf: false }))).status).toBe(200);

      const out = await t.req<{ signed_out: boolean }>("DELETE", "/v1/auth/session", s.opts());
      expect(out.status).toBe(200);
      expect(out.body.signed_out).toBe(true);
      expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
      expect((await t.req("GET", "/v1/auth/session", s.opts())).status).toBe(401);
      expect((await t.req("DELETE", "/v1/auth/session", s.opts())).status).toBe(401);
    });

    test("sessions are listed, one can be ended by id, an unknown id is 404", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const a = await webSignIn(t, u.username);
      const b = await webSignIn(t, u.username);
      const list = await t.req<{ sessions: { id: string; current: boolean }[] }>(
        "GET",
        "/v1/auth/sessions",
        a.opts(),
      );
      expect(list.status).toBe(200);
      expect(list.body.sessions).toHaveLength(2);
      const other = list.body.sessions.find((s) => !s.current);
      expect(other).toBeDefined();
      const end = await t.req<{ revoked: number }>("DELETE", `/v1/auth/sessions/${other?.id}`, a.opts());
      expect(end.status).toBe(200);
      expect(end.body.revoked).toBe(1);
      expect((await t.req("GET", "/v1/auth/sessions", b.opts())).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/sessions", a.opts())).status).toBe(200);
      const missing = await t.req<{ code: string }>("DELETE", "/v1/auth/sessions/0123456789abcdef", a.opts());
      expect(missing.status).toBe(404);
      expect((await t.req("GET", "/v1/auth/sessions")).status).toBe(401);
    });

    test("sign out everywhere ends every session and every user JWT", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const a = await webSignIn(t, u.username);
      const b = await webSignIn(t, u.username);
      const jwt = await login(t, u.username);
      const pat = await t.req<{ token: string }>("POST", "/v1/me/tokens", {
        token: jwt,
        body: { name: "ci" },
      });
      const r = await t.req<{ revoked: number }>("DELETE", "/v1/auth/sessions", a.opts());
      expect(r.status).toBe(200);
      expect(r.body.revoked).toBe(2);
      expect(r.headers.get("set-cookie")).toContain("Max-Age=0");
      expect((await t.req("GET", "/v1/auth/whoami", { token: jwt })).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/session", a.opts())).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/session", b.opts())).status).toBe(401);
      expect((await t.req("DELETE", "/v1/auth/sessions", a.opts())).status).toBe(401);
      // Access tokens are separate credentials, revoked one by one under /v1/me/tokens.
      expect((await t.req("GET", "/v1/auth/whoami", { token: pat.body.token })).status).toBe(200);
      expect((await auditRows(t)).some((e) => e.action === "auth.session.revoke_all")).toBe(true);
    });
  });
}

describe("token verification cache", () => {
  test("a cached token still expires on time and a forged one is never cached as valid", async () => {
    let clock = Date.now();
    const { createJwt } = await import("../src/auth/jwt");
    const jwt = createJwt(new Uint8Array(32).fill(7), () => clock);
    const { token } = await jwt.sign({ typ: "approle", uid: "role-x", ver: 1 }, 60);
    expect((await jwt.verify(token)).uid).toBe("role-x");
    expect((await jwt.verify(token)).uid).toBe("role-x");
    clock += 61_000;
    await expect(jwt.verify(token)).rejects.toThrow("expired");
    const forged = `${token.slice(0, -4)}AAAA`;
    await expect(jwt.verify(forged)).rejects.toThrow();
    await expect(jwt.verify(forged)).rejects.toThrow();
  });
});
