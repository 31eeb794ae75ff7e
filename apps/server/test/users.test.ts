import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import {
  auditRows,
  enrollTotp,
  freshIp,
  login,
  PASSWORD,
  seedUser,
  uniqueName,
  webSignIn,
} from "./harness/users";

type PublicUser = {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  role: string;
  policies: string[];
  enabled: boolean;
  totp_enabled: boolean;
};
type ErrorBody = { code: string; error: string; field?: string };

for (const engine of ENGINES) {
  describe(`user administration on ${engine}`, () => {
    let t: TestApp;
    let admin: string;
    let adminName: string;
    beforeAll(async () => {
      t = await createTestApp(engine);
      const a = await seedUser(t, { role: "admin" });
      adminName = a.username;
      admin = await login(t, a.username);
    });
    afterAll(() => t.close());

    test("an admin creates a user (201, public fields only) and lists it", async () => {
      const username = uniqueName("carol");
      const r = await t.req<PublicUser & Record<string, unknown>>("POST", "/v1/auth/users", {
        token: admin,
        body: {
          username,
          password: CANARY,
          display_name: "Carol",
          email: "carol@example.org",
          role: "approver",
        },
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        username,
        display_name: "Carol",
        email: "carol@example.org",
        role: "approver",
        policies: [],
        enabled: true,
        totp_enabled: false,
      });
      for (const k of ["password", "password_hash", "passwordHash", "totp_secret", "recovery_codes"]) {
        expect(r.body).not.toHaveProperty(k);
      }
      expect(r.text).not.toContain(CANARY);
      // The password chosen by the admin works (it is the canary: nothing may log it).
      freshIp(t);
      expect(await login(t, username, CANARY)).toBeString();

      const list = await t.req<{ users: PublicUser[] }>("GET", "/v1/auth/users", { token: admin });
      expect(list.status).toBe(200);
      expect(list.body.users.map((u) => u.username)).toContain(username);
      expect(list.text).not.toMatch(/argon2|\$argon/);

      const viewer = await t.req<PublicUser>("POST", "/v1/auth/users", {
        token: admin,
        body: { username: uniqueName("dave"), password: PASSWORD },
      });
      expect(viewer.body.role).toBe("viewer");
      const created = (await auditRows(t)).filter((e) => e.action === "user.create");
      expect(created.some((e) => e.path === `user:${username}` && e.identity === `user:${adminName}`)).toBe(
        true,
      );
      expect(JSON.stringify(await auditRows(t))).not.toContain(CANARY);
    });

    test("creation refuses duplicates (409), bad input (400) and unknown policies (400)", async () => {
      const username = uniqueName("erin");
      const body = { username, password: PASSWORD };
      expect((await t.req("POST", "/v1/auth/users", { token: admin, body })).status).toBe(201);
      const dup = await t.req<ErrorBody>("POST", "/v1/auth/users", { token: admin, body });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe("conflict");

      const cases: [Record<string, unknown>, string][] = [
        [{ username: "bad name!", password: PASSWORD }, "username"],
        [{ username: uniqueName(), password: "short" }, "password"],
        [{ username: uniqueName(), password: PASSWORD, role: "root" }, "role"],
        [{ username: uniqueName(), password: PASSWORD, email: "not an email" }, "email"],
        [{ username: uniqueName(), password: PASSWORD, policies: ["no-such-policy"] }, "policies"],
        [{ username: uniqueName(), password: PASSWORD, policies: ["admin"] }, "policies"],
        [{ username: uniqueName() }, "password"],
        [{ username: "x".repeat(65), password: PASSWORD }, "username"],
      ];
      for (const [b, field] of cases) {
        const r = await t.req<ErrorBody>("POST", "/v1/auth/users", { token: admin, body: b });
        expect(r.status, JSON.stringify(b)).toBe(400);
        expect(r.body.code).toBe("invalid_request");
        expect(r.body.field).toBe(field);
      }
      const unknown = await t.req<ErrorBody>("POST", "/v1/auth/users", {
        token: admin,
        body: { username: uniqueName(), password: PASSWORD, policies: ["no-such-policy"] },
      });
      expect(unknown.body.error).toContain('"no-such-policy"');
    });

    test("viewers, approvers and anonymous callers cannot manage users", async () => {
      freshIp(t);
      const viewer = await login(t, (await seedUser(t, { role: "viewer" })).username);
      const approver = await login(t, (await seedUser(t, { role: "approver" })).username);
      const target = await seedUser(t);
      for (const token of [viewer, approver]) {
        expect((await t.req("GET", "/v1/auth/users", { token })).status).toBe(403);
        const create = await t.req<ErrorBody>("POST", "/v1/auth/users", {
          token,
          body: { username: uniqueName(), password: PASSWORD, role: "admin" },
        });
        expect(create.status).toBe(403);
        expect(create.body.code).toBe("forbidden");
        const put = await t.req("PUT", `/v1/auth/users/${target.username}`, {
          token,
          body: { role: "admin" },
        });
        expect(put.status).toBe(403);
        expect((await t.req("DELETE", `/v1/auth/users/${target.username}`, { token })).status).toBe(403);
      }
      expect((await t.req("GET", "/v1/auth/users")).status).toBe(401);
      expect((await t.req("DELETE", `/v1/auth/users/${target.username}`)).status).toBe(401);
      const denied = (await auditRows(t)).filter(
        (e) => e.outcome === "denied" && e.action.startsWith("user."),
      );
      expect(denied.map((e) => e.action)).toEqual(
        expect.arrayContaining(["user.list", "user.create", "user.update", "user.delete"]),
      );
      const [row] = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.users)
        .where(eq(t.ctx.store.t.users.id, target.id));
      expect(row?.role).toBe("viewer");
    });

    test("a demoted admin loses user management on the very next request", async () => {
      freshIp(t);
      const other = await seedUser(t, { role: "admin" });
      const token = await login(t, other.username);
      expect((await t.req("GET", "/v1/auth/users", { token })).status).toBe(200);
      const r = await t.req<{ updated: boolean; user: PublicUser }>(
        "PUT",
        `/v1/auth/users/${other.username}`,
        {
          token: admin,
          body: { role: "viewer" },
        },
      );
      expect(r.body.user.role).toBe("viewer");
      expect((await t.req("GET", "/v1/auth/users", { token })).status).toBe(403);
    });

    test("PUT updates profile, role and policies; unknown users are 404, bad fields 400", async () => {
      const u = await seedUser(t);
      const r = await t.req<{ updated: boolean; user: PublicUser }>("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { display_name: "  Frank  ", email: "frank@example.org", role: "approver", policies: [] },
      });
      expect(r.status).toBe(200);
      expect(r.body.updated).toBe(true);
      expect(r.body.user).toMatchObject({
        display_name: "Frank",
        email: "frank@example.org",
        role: "approver",
        enabled: true,
      });
      const cleared = await t.req<{ user: PublicUser }>("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { email: null },
      });
      expect(cleared.body.user.email).toBeNull();
      const update = (await auditRows(t)).find(
        (e) => e.action === "user.update" && e.path === `user:${u.username}`,
      );
      expect(JSON.parse(update?.metadata ?? "{}")).toMatchObject({
        changed: ["display_name", "email", "role", "policies"],
      });

      expect((await t.req("PUT", "/v1/auth/users/nobody-here", { token: admin, body: {} })).status).toBe(404);
      const badPolicy = await t.req<ErrorBody>("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { policies: ["ghost"] },
      });
      expect(badPolicy.status).toBe(400);
      expect(badPolicy.body.field).toBe("policies");
      const badRole = await t.req("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { role: "god" },
      });
      expect(badRole.status).toBe(400);
      const badName = await t.req("PUT", "/v1/auth/users/bad%20name", { token: admin, body: {} });
      expect(badName.status).toBe(400);
    });

    test("disabling a user ends its sessions and tokens at once; re-enabling keeps old JWTs dead", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const jwt = await login(t, u.username);
      const pat = await t.req<{ token: string }>("POST", "/v1/me/tokens", s.opts({ body: { name: "cli" } }));
      expect(pat.status).toBe(201);
      expect((await t.req("GET", "/v1/me", s.opts())).status).toBe(200);

      const r = await t.req<{ user: PublicUser }>("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { enabled: false },
      });
      expect(r.status).toBe(200);
      expect(r.body.user.enabled).toBe(false);
      expect((await t.req("GET", "/v1/me", s.opts())).status).toBe(401);
      expect((await t.req("POST", "/v1/me/tokens", s.opts({ body: { name: "x" } }))).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/whoami", { token: jwt })).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/whoami", { token: pat.body.token })).status).toBe(401);
      expect(
        (await t.req("POST", "/v1/auth/login", { body: { username: u.username, password: PASSWORD } }))
          .status,
      ).toBe(401);
      const rows = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.sessions)
        .where(eq(t.ctx.store.t.sessions.userId, u.id));
      expect(rows).toEqual([]);

      await t.req("PUT", `/v1/auth/users/${u.username}`, { token: admin, body: { enabled: true } });
      expect((await t.req("GET", "/v1/auth/whoami", { token: jwt })).status).toBe(401);
      expect((await t.req("GET", "/v1/me", s.opts())).status).toBe(401);
      expect((await t.req("GET", "/v1/auth/whoami", { token: pat.body.token })).status).toBe(200);
    });

    test("an admin password reset ends the user's sessions; the old password stops working", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const s = await webSignIn(t, u.username);
      const newPassword = "a-brand-new-password";
      const r = await t.req("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { password: newPassword },
      });
      expect(r.status).toBe(200);
      expect((await t.req("GET", "/v1/me", s.opts())).status).toBe(401);
      expect(
        (await t.req("POST", "/v1/auth/login", { body: { username: u.username, password: PASSWORD } }))
          .status,
      ).toBe(401);
      expect(await login(t, u.username, newPassword)).toBeString();
      const short = await t.req<ErrorBody>("PUT", `/v1/auth/users/${u.username}`, {
        token: admin,
        body: { password: "short" },
      });
      expect(short.status).toBe(400);
      expect(short.body.field).toBe("password");
      expect(JSON.stringify(await auditRows(t))).not.toContain(newPassword);
    });

    test("reset_totp clears 2FA, ends sessions and is audited as user.totp.reset", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const jwt = await login(t, u.username);
      await enrollTotp(t, { token: jwt });
      const r = await t.req<{ user: PublicUser & { recovery_codes_remaining: number } }>(
        "PUT",
        `/v1/auth/users/${u.username}`,
        { token: admin, body: { reset_totp: true } },
      );
      expect(r.status).toBe(200);
      expect(r.body.user.totp_enabled).toBe(false);
      expect(r.body.user.recovery_codes_remaining).toBe(0);
      expect((await t.req("GET", "/v1/auth/whoami", { token: jwt })).status).toBe(401);
      // Signs in with the password alone again.
      expect(await login(t, u.username)).toBeString();
      const reset = (await auditRows(t)).find((e) => e.action === "user.totp.reset");
      expect(reset).toMatchObject({
        path: `user:${u.username}`,
        identity: `user:${adminName}`,
        success: true,
      });
    });

    test("a user can be deleted (its credentials die with it); unknown is 404", async () => {
      freshIp(t);
      const u = await seedUser(t);
      const jwt = await login(t, u.username);
      const r = await t.req<{ deleted: boolean }>("DELETE", `/v1/auth/users/${u.username}`, { token: admin });
      expect(r.status).toBe(200);
      expect(r.body.deleted).toBe(true);
      expect((await t.req("GET", "/v1/auth/whoami", { token: jwt })).status).toBe(401);
      const list = await t.req<{ users: PublicUser[] }>("GET", "/v1/auth/users", { token: admin });
      expect(list.body.users.map((x) => x.username)).not.toContain(u.username);
      const again = await t.req<ErrorBody>("DELETE", `/v1/auth/users/${u.username}`, { token: admin });
      expect(again.status).toBe(404);
      expect(
        (await auditRows(t)).some((e) => e.action === "user.delete" && e.path === `user:${u.username}`),
      ).toBe(true);
    });
  });

  describe(`the last enabled admin on ${engine}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(engine);
    });
    afterAll(() => t.close());

    test("cannot disable, demote or delete themselves (409) until another admin exists", async () => {
      const a = await seedUser(t, { role: "admin" });
      const token = await login(t, a.username);
      const path = `/v1/auth/users/${a.username}`;
      for (const body of [{ enabled: false }, { role: "viewer" }, { role: "approver", enabled: false }]) {
        const r = await t.req<ErrorBody>("PUT", path, { token, body });
        expect(r.status).toBe(409);
        expect(r.body.code).toBe("conflict");
      }
      expect((await t.req("DELETE", path, { token })).status).toBe(409);
      // A disabled admin does not count as the other admin.
      const sleeping = await seedUser(t, { role: "admin" });
      await t.req("PUT", `/v1/auth/users/${sleeping.username}`, { token, body: { enabled: false } });
      expect((await t.req("PUT", path, { token, body: { role: "viewer" } })).status).toBe(409);
      // Harmless edits of the last admin still work.
      expect((await t.req("PUT", path, { token, body: { display_name: "Still here" } })).status).toBe(200);

      await t.req("PUT", `/v1/auth/users/${sleeping.username}`, { token, body: { enabled: true } });
      const demoted = await t.req<{ user: PublicUser }>("PUT", path, { token, body: { role: "viewer" } });
      expect(demoted.status).toBe(200);
      expect(demoted.body.user.role).toBe("viewer");
      expect((await t.req("GET", "/v1/auth/users", { token })).status).toBe(403);
    });
  });
}
