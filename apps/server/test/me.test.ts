import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sha256Hex } from "@gatehouse/core/crypto";
import { eq } from "drizzle-orm";
import { totpCode } from "../src/auth/totp";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import {
  auditRows,
  enrollTotp,
  freshIp,
  login,
  nextCode,
  PASSWORD,
  seedUser,
  webSignIn,
} from "./harness/users";

const ROOT_TOKEN = "root-token-for-me-tests-0123456789abcdef";

type ErrorBody = { code: string; error: string; field?: string };
type Setup = {
  secret: string;
  otpauth_uri: string;
  qr_data_uri: string;
  issuer: string;
  account: string;
  algorithm: string;
  digits: number;
  period: number;
};
type TokenInfo = {
  id: string;
  name: string;
  status: string;
  expires_at: string | null;
  last_used_at: string | null;
};

for (const engine of ENGINES) {
  describe(`profile and password on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT_TOKEN });
    });
    afterAll(() => t.close());

    test("GET /v1/me returns my public profile and live session count", async () => {
      freshIp(t);
      const u = await seedUser(t, { role: "approver" });
      const s = await webSignIn(t, u.username);
      await webSignIn(t, u.username);
      const r = await t.req<{ user: Record<string, unknown>; session_count: number }>(
        "GET",
        "/v1/me",
        s.opts(),
      );
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ username: u.username, role: "approver", totp_enabled: false });
      expect(r.body.user).not.toHaveProperty("password_hash");
      expect(r.body.session_count).toBe(2);
    });

    test("GET /v1/me is for users: 401 anonymous, 403 for the root token", async () => {
      expect((await t.req("GET", "/v1/me")).status).toBe(401);
      const root = await t.req<ErrorBody>("GET", "/v1/me", { token: ROOT_TOKEN });
      expect(root.status).toBe(403);
      expect(root.body.code).toBe("forbidden");
      expect((await t.req("GET", "/v1/me/totp", { token: ROOT_TOKEN })).status).toBe(403);
      expect((await t.req("GET", "/v1/me/tokens", { token: ROOT_TOKEN })).status).toBe(403);
    });

    test("changing my password keeps this session and ends the others and every JWT", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const mine = await webSignIn(t, u.username);
      const other = await webSignIn(t, u.username);
      const jwt = await login(t, u.username);
      const r = await t.req<{ updated: boolean; sessions_ended: number }>(
        "PUT",
        "/v1/me/password",
        mine.opts({ body: { current_password: PASSWORD, new_password: CANARY } }),
      );
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ updated: true, sessions_ended: 1 });
      expect((await t.req("GET", "/v1/me", mine.opts())).status).toBe(200);
      expect((await t.req("GET", "/v1/me", other.opts())).status).toBe(401);
      expect((await t.req("GET", "/v1/me", { token: jwt })).status).toBe(401);
      expect(await login(t, u.username, CANARY)).toBeString();
      const rows = await auditRows(t);
      expect(rows.some((e) => e.action === "user.password.change" && e.success)).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(CANARY);
    });

    test("a wrong current password is 400 and rate limited; a short new one is 400", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const token = await login(t, u.username);
      const short = await t.req<ErrorBody>("PUT", "/v1/me/password", {
        token,
        body: { current_password: PASSWORD, new_password: "short" },
      });
      expect(short.status).toBe(400);
      expect(short.body.field).toBe("new_password");
      for (let i = 0; i < 5; i++) {
        const r = await t.req<ErrorBody>("PUT", "/v1/me/password", {
          token,
          body: { current_password: `wrong-${i}-password`, new_password: "another-long-password" },
        });
        expect(r.status).toBe(400);
        expect(r.body.field).toBe("current_password");
      }
      const limited = await t.req("PUT", "/v1/me/password", {
        token,
        body: { current_password: PASSWORD, new_password: "another-long-password" },
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
      const denied = (await auditRows(t)).filter(
        (e) => e.action === "user.password.change" && e.identity === `user:${u.username}` && !e.success,
      );
      expect(denied).toHaveLength(5);
    });
  });

  describe(`TOTP enrollment on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine);
    });
    afterAll(() => t.close());

    test("setup returns a secret and a server-made QR; the pending secret is stored sealed", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const status = await t.req("GET", "/v1/me/totp", s.opts());
      expect(status.body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
      const r = await t.req<Setup>("POST", "/v1/me/totp/setup", s.opts());
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        issuer: "Gatehouse",
        account: u.username,
        algorithm: "SHA1",
        digits: 6,
        period: 30,
      });
      expect(r.body.secret).toMatch(/^[A-Z2-7]{16,}$/);
      expect(r.body.otpauth_uri).toStartWith("otpauth://totp/");
      expect(r.body.otpauth_uri).toContain(`secret=${r.body.secret}`);
      expect(r.body.qr_data_uri).toStartWith("data:image/png;base64,");
      const png = Buffer.from(r.body.qr_data_uri.split(",")[1] ?? "", "base64");
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      const [row] = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.users)
        .where(eq(t.ctx.store.t.users.id, u.id));
      expect(row?.totpPending).toBeString();
      expect(row?.totpPending).not.toContain(r.body.secret);
      expect(row?.totpSecret).toBeNull();
      expect(t.ctx.keys.open("totp", `totp:${u.id}`, row?.totpPending ?? "")).toBe(r.body.secret);
      // Not enabled until verified.
      expect((await t.req("GET", "/v1/me/totp", s.opts())).body).toMatchObject({ enabled: false });
    });

    test("verify enables TOTP with 10 hashed recovery codes; setup and verify again are 409", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const noSetup = await t.req<ErrorBody>(
        "POST",
        "/v1/me/totp/verify",
        s.opts({ body: { code: "123456" } }),
      );
      expect(noSetup.status).toBe(409);
      const setup = await t.req<Setup>("POST", "/v1/me/totp/setup", s.opts());
      const wrong = await t.req<ErrorBody>(
        "POST",
        "/v1/me/totp/verify",
        s.opts({ body: { code: "000000" } }),
      );
      expect(wrong.status).toBe(400);
      expect(wrong.body.field).toBe("code");
      const code = totpCode(setup.body.secret, Date.now());
      const r = await t.req<{ enabled: boolean; recovery_codes: string[] }>(
        "POST",
        "/v1/me/totp/verify",
        s.opts({ body: { code } }),
      );
      expect(r.status).toBe(200);
      expect(r.body.enabled).toBe(true);
      expect(r.body.recovery_codes).toHaveLength(10);
      for (const c of r.body.recovery_codes) expect(c).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
      expect(new Set(r.body.recovery_codes).size).toBe(10);

      const [row] = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.users)
        .where(eq(t.ctx.store.t.users.id, u.id));
      expect(row?.totpPending).toBeNull();
      expect(row?.totpSecret).not.toContain(setup.body.secret);
      expect(row?.recoveryCodes).toHaveLength(10);
      expect(row?.recoveryCodes.join()).not.toContain(r.body.recovery_codes[0] as string);
      expect(row?.recoveryCodes[0]).toStartWith("$argon2id$");

      expect((await t.req("GET", "/v1/me/totp", s.opts())).body).toEqual({
        enabled: true,
        recovery_codes_remaining: 10,
      });
      expect((await t.req("POST", "/v1/me/totp/setup", s.opts())).status).toBe(409);
      expect((await t.req("POST", "/v1/me/totp/verify", s.opts({ body: { code } }))).status).toBe(409);
      const rows = await auditRows(t);
      expect(rows.some((e) => e.action === "user.totp.enable" && e.identity === `user:${u.username}`)).toBe(
        true,
      );
      const text = JSON.stringify(rows);
      expect(text).not.toContain(setup.body.secret);
      expect(text).not.toContain(r.body.recovery_codes[0] as string);
    });

    test("the enrollment code cannot be replayed at sign-in", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const setup = await t.req<Setup>("POST", "/v1/me/totp/setup", s.opts());
      const code = totpCode(setup.body.secret, Date.now());
      expect((await t.req("POST", "/v1/me/totp/verify", s.opts({ body: { code } }))).status).toBe(200);
      const first = await t.req<{ totp_token: string }>("POST", "/v1/auth/login", {
        body: { username: u.username, password: PASSWORD },
      });
      const replay = await t.req("POST", "/v1/auth/login/totp", {
        body: { totp_token: first.body.totp_token, code },
      });
      expect(replay.status).toBe(401);
    });

    test("regenerating recovery codes needs the password and invalidates the old codes", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const notYet = await t.req<ErrorBody>(
        "POST",
        "/v1/me/totp/recovery-codes/regenerate",
        s.opts({ body: { password: PASSWORD } }),
      );
      expect(notYet.status).toBe(409);
      const { recoveryCodes: old } = await enrollTotp(t, s.opts());
      const wrong = await t.req<ErrorBody>(
        "POST",
        "/v1/me/totp/recovery-codes/regenerate",
        s.opts({ body: { password: "not-my-password" } }),
      );
      expect(wrong.status).toBe(400);
      expect(wrong.body.field).toBe("password");
      const r = await t.req<{ recovery_codes: string[] }>(
        "POST",
        "/v1/me/totp/recovery-codes/regenerate",
        s.opts({ body: { password: PASSWORD } }),
      );
      expect(r.status).toBe(200);
      expect(r.body.recovery_codes).toHaveLength(10);
      expect(r.body.recovery_codes).not.toContain(old[0] as string);

      const start = async () =>
        (
          await t.req<{ totp_token: string }>("POST", "/v1/auth/login", {
            body: { username: u.username, password: PASSWORD },
          })
        ).body.totp_token;
      const stale = await t.req("POST", "/v1/auth/login/totp", {
        body: { totp_token: await start(), code: old[0] },
      });
      expect(stale.status).toBe(401);
      const fresh = await t.req("POST", "/v1/auth/login/totp", {
        body: { totp_token: await start(), code: r.body.recovery_codes[0] },
      });
      expect(fresh.status).toBe(200);
      expect(
        (await auditRows(t)).some((e) => e.action === "user.totp.recovery_regenerate" && e.success),
      ).toBe(true);
    });

    test("disabling TOTP needs the password; afterwards sign-in needs the password only", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      expect((await t.req("DELETE", "/v1/me/totp", s.opts({ body: { password: PASSWORD } }))).status).toBe(
        409,
      );
      const { secret } = await enrollTotp(t, s.opts());
      const wrong = await t.req<ErrorBody>(
        "DELETE",
        "/v1/me/totp",
        s.opts({ body: { password: "wrong-password" } }),
      );
      expect(wrong.status).toBe(400);
      const noBody = await t.req<ErrorBody>("DELETE", "/v1/me/totp", s.opts());
      expect(noBody.status).toBe(400);
      expect((await t.req("GET", "/v1/me/totp", s.opts())).body).toMatchObject({ enabled: true });

      const r = await t.req<{ disabled: boolean }>(
        "DELETE",
        "/v1/me/totp",
        s.opts({ body: { password: PASSWORD } }),
      );
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ disabled: true });
      expect((await t.req("GET", "/v1/me/totp", s.opts())).body).toEqual({
        enabled: false,
        recovery_codes_remaining: 0,
      });
      expect(await login(t, u.username)).toBeString();
      expect(secret).toBeString();
      const rows = await auditRows(t);
      expect(rows.some((e) => e.action === "user.totp.disable" && e.success)).toBe(true);
      expect(rows.some((e) => e.action === "user.totp.disable" && e.outcome === "denied")).toBe(true);
    });

    test("TOTP verification is rate limited per account", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const token = await login(t, u.username);
      const setup = await t.req<Setup>("POST", "/v1/me/totp/setup", { token });
      for (let i = 0; i < 5; i++) {
        freshIp(t);
        const r = await t.req("POST", "/v1/me/totp/verify", { token, body: { code: "000000" } });
        expect(r.status).toBe(400);
      }
      const r = await t.req("POST", "/v1/me/totp/verify", {
        token,
        body: { code: totpCode(setup.body.secret, Date.now()) },
      });
      expect(r.status).toBe(429);
    });

    test("a session made with a TOTP code after enrollment works with the next step's code", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const { secret } = await enrollTotp(t, { token: await login(t, u.username) });
      const step = await t.req<{ totp_token: string }>("POST", "/v1/auth/session", {
        body: { username: u.username, password: PASSWORD },
      });
      const done = await t.req("POST", "/v1/auth/session/totp", {
        body: { totp_token: step.body.totp_token, code: nextCode(secret) },
      });
      expect(done.status).toBe(200);
    });
  });

  describe(`personal access tokens on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine);
    });
    afterAll(() => t.close());

    test("a token is shown once, stored as SHA-256, and authenticates as its user", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const r = await t.req<{ id: string; name: string; token: string; expires_at: string | null }>(
        "POST",
        "/v1/me/tokens",
        s.opts({ body: { name: "  laptop cli ", expires_in_days: 30 } }),
      );
      expect(r.status).toBe(201);
      expect(r.body.name).toBe("laptop cli");
      expect(r.body.token).toMatch(/^ghpat_[A-Za-z0-9_-]{43}$/);
      const days = (Date.parse(r.body.expires_at ?? "") - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThanOrEqual(30);

      const [row] = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.accessTokens)
        .where(eq(t.ctx.store.t.accessTokens.id, r.body.id));
      expect(row?.tokenHash).toBe(sha256Hex(r.body.token));

      const who = await t.req<{ identity: string; source: string }>("GET", "/v1/auth/whoami", {
        token: r.body.token,
      });
      expect(who.body).toMatchObject({ identity: `user:${u.username}`, source: "access_token" });

      const forever = await t.req<{ expires_at: null }>(
        "POST",
        "/v1/me/tokens",
        s.opts({ body: { name: "ci" } }),
      );
      expect(forever.body.expires_at).toBeNull();

      const list = await t.req<{ tokens: TokenInfo[] }>("GET", "/v1/me/tokens", s.opts());
      expect(list.status).toBe(200);
      expect(list.body.tokens.map((x) => x.name).sort()).toEqual(["ci", "laptop cli"]);
      expect(list.body.tokens.every((x) => x.status === "active")).toBe(true);
      expect(list.body.tokens.find((x) => x.id === r.body.id)?.last_used_at).toBeString();
      expect(list.text).not.toContain(r.body.token);
      expect(list.text).not.toContain(row?.tokenHash as string);
      const audit = await auditRows(t);
      expect(audit.some((e) => e.action === "user.token.create" && e.path === `token:${r.body.id}`)).toBe(
        true,
      );
      expect(JSON.stringify(audit)).not.toContain(r.body.token);
    });

    test("bad names and lifetimes are 400; a token cannot mint tokens or change 2FA", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const token = await login(t, u.username);
      for (const body of [
        { name: "x", expires_in_days: 0 },
        { name: "x", expires_in_days: 366 },
        { name: "x", expires_in_days: 1.5 },
        { name: "" },
        { name: "   " },
        { name: "x".repeat(65) },
      ]) {
        const r = await t.req<ErrorBody>("POST", "/v1/me/tokens", { token, body });
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.code).toBe("invalid_request");
      }
      const pat = await t.req<{ token: string }>("POST", "/v1/me/tokens", { token, body: { name: "ok" } });
      const byPat = await t.req<ErrorBody>("POST", "/v1/me/tokens", {
        token: pat.body.token,
        body: { name: "y" },
      });
      expect(byPat.status).toBe(403);
      expect((await t.req("POST", "/v1/me/totp/setup", { token: pat.body.token })).status).toBe(403);
      // Reading is fine with a token.
      expect((await t.req("GET", "/v1/me/tokens", { token: pat.body.token })).status).toBe(200);
      expect((await t.req("GET", "/v1/me/tokens")).status).toBe(401);
    });

    test("revoking a token refuses it at once; revoking again is 409, others' or unknown ids 404", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const pat = await t.req<{ id: string; token: string }>(
        "POST",
        "/v1/me/tokens",
        s.opts({ body: { name: "a" } }),
      );
      const r = await t.req<{ revoked: boolean }>("DELETE", `/v1/me/tokens/${pat.body.id}`, s.opts());
      expect(r.status).toBe(200);
      expect(r.body.revoked).toBe(true);
      expect((await t.req("GET", "/v1/auth/whoami", { token: pat.body.token })).status).toBe(401);
      const list = await t.req<{ tokens: TokenInfo[] }>("GET", "/v1/me/tokens", s.opts());
      expect(list.body.tokens.find((x) => x.id === pat.body.id)?.status).toBe("revoked");
      expect((await t.req("DELETE", `/v1/me/tokens/${pat.body.id}`, s.opts())).status).toBe(409);

      const other = await seedUser(t);
      const theirs = await t.req<{ id: string; token: string }>("POST", "/v1/me/tokens", {
        token: await login(t, other.username),
        body: { name: "b" },
      });
      const foreign = await t.req<ErrorBody>("DELETE", `/v1/me/tokens/${theirs.body.id}`, s.opts());
      expect(foreign.status).toBe(404);
      expect((await t.req("GET", "/v1/auth/whoami", { token: theirs.body.token })).status).toBe(200);
      const unknown = await t.req(
        "DELETE",
        "/v1/me/tokens/pat-00000000-0000-0000-0000-000000000000",
        s.opts(),
      );
      expect(unknown.status).toBe(404);
      expect((await t.req("DELETE", "/v1/me/tokens/not-an-id", s.opts())).status).toBe(400);
      expect(
        (await auditRows(t)).some(
          (e) => e.action === "user.token.revoke" && e.path === `token:${pat.body.id}`,
        ),
      ).toBe(true);
    });

    test("an expired token is listed as expired and refused", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const token = await login(t, u.username);
      const pat = await t.req<{ id: string; token: string }>("POST", "/v1/me/tokens", {
        token,
        body: { name: "short-lived", expires_in_days: 1 },
      });
      const { accessTokens } = t.ctx.store.t;
      await t.ctx.store.tx((tx) =>
        tx
          .update(accessTokens)
          .set({ expiresAt: Date.now() - 1000 })
          .where(eq(accessTokens.id, pat.body.id)),
      );
      expect((await t.req("GET", "/v1/auth/whoami", { token: pat.body.token })).status).toBe(401);
      const list = await t.req<{ tokens: TokenInfo[] }>("GET", "/v1/me/tokens", { token });
      expect(list.body.tokens[0]?.status).toBe("expired");
    });
  });
}
