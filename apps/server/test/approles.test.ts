import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { APPROLE_LOGIN_LIMIT } from "../src/modules/approles/service";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";

const ROOT = "root-token-for-approle-tests-0123456789ab";

type Created = {
  role_id: string;
  secret_id: string;
  display_name: string;
  policies: string[];
  ip_allowlist: string[];
  token_ttl_seconds: number;
};
type Login = { token: string; identity: string; policies: string[]; expires_in: number };
type Err = { code: string; error: string; field?: string };

let ipSeq = 0;
/** A fresh client address per test, so one test's per-IP rate limit never reaches the next. */
const freshIp = (t: TestApp) => {
  ipSeq++;
  const ip = `10.88.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`;
  t.setPeer(ip);
  return ip;
};

for (const engine of ENGINES) {
  describe(`AppRoles on ${engine}`, () => {
    let t: TestApp;
    const admin = { token: ROOT };
    const secrets: string[] = [];

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      const now = Date.now();
      await t.ctx.store.tx((tx) =>
        tx.insert(t.ctx.store.t.policies).values([
          {
            name: "agent-read",
            description: null,
            document: { rules: [{ paths: ["app/**"], capabilities: ["read"] }] },
            createdAt: now,
            updatedAt: now,
          },
          {
            name: "agent-write",
            description: null,
            document: { rules: [{ paths: ["app/**"], capabilities: ["write"] }] },
            createdAt: now,
            updatedAt: now,
          },
        ]),
      );
      await t.ctx.policies.reload();
    });
    afterAll(() => t.close());

    async function create(body: Record<string, unknown> = {}): Promise<Created> {
      const r = await t.req<Created>("POST", "/v1/auth/approle", {
        ...admin,
        body: { display_name: "ci agent", policies: ["agent-read"], ...body },
      });
      expect(r.status).toBe(201);
      secrets.push(r.body.secret_id);
      return r.body;
    }
    const login = (role_id: string, secret_id: string, headers?: Record<string, string>) =>
      t.req<Login & Err>("POST", "/v1/auth/approle/login", { body: { role_id, secret_id }, headers });
    const whoami = (token: string, headers?: Record<string, string>) =>
      t.req<{ identity: string; policies: string[]; ip: string } & Err>("GET", "/v1/auth/whoami", {
        token,
        headers,
      });

    test("create shows the secret_id once; list and get never show it", async () => {
      freshIp(t);
      const role = await create({ ip_allowlist: ["10.0.0.0/8"], token_ttl_seconds: 600 });
      expect(role.role_id).toMatch(/^role-[0-9a-f-]{36}$/);
      expect(role).toMatchObject({
        display_name: "ci agent",
        policies: ["agent-read"],
        ip_allowlist: ["10.0.0.0/8"],
        token_ttl_seconds: 600,
      });
      expect(role.secret_id.length).toBeGreaterThanOrEqual(32);

      const list = await t.req<{ roles: Record<string, unknown>[] }>("GET", "/v1/auth/approle", admin);
      expect(list.status).toBe(200);
      const listed = list.body.roles.find((r) => r.role_id === role.role_id);
      expect(listed).toMatchObject({ suspended: false, last_used: null, token_ttl_seconds: 600 });
      expect(list.text).not.toContain(role.secret_id);
      expect(list.text).not.toContain("argon2");

      const one = await t.req("GET", `/v1/auth/approle/${role.role_id}`, admin);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(listed as Record<string, unknown>);
      expect(Object.keys(one.body).sort()).toEqual(
        [
          "created_at",
          "display_name",
          "ip_allowlist",
          "last_used",
          "policies",
          "role_id",
          "suspended",
          "token_ttl_seconds",
          "updated_at",
        ].sort(),
      );
    });

    test("default token TTL is 3600 s", async () => {
      const role = await create();
      expect(role.token_ttl_seconds).toBe(3600);
      expect(role.ip_allowlist).toEqual([]);
    });

    test("create validates policies, CIDRs, TTL and admin rights", async () => {
      const post = (body: Record<string, unknown>, opts = admin) =>
        t.req<Err>("POST", "/v1/auth/approle", {
          ...opts,
          body: { display_name: "x", policies: ["agent-read"], ...body },
        });
      const unknown = await post({ policies: ["agent-read", "no-such-policy"] });
      expect(unknown.status).toBe(400);
      expect(unknown.body).toMatchObject({ code: "invalid_request", field: "policies" });
      expect(unknown.body.error).toContain("no-such-policy");

      const cidr = await post({ ip_allowlist: ["10.0.0.0/8", "10.0.0.0/33"] });
      expect(cidr.status).toBe(400);
      expect(cidr.body).toMatchObject({ code: "invalid_request", field: "ip_allowlist" });

      expect((await post({ token_ttl_seconds: 59 })).status).toBe(400);
      expect((await post({ token_ttl_seconds: 86401 })).status).toBe(400);
      expect((await post({ policies: [] })).status).toBe(400);
      expect((await post({ display_name: "   " })).body).toMatchObject({ field: "display_name" });
      expect((await post({ display_name: "x".repeat(129) })).status).toBe(400);

      expect((await post({}, { token: "" })).status).toBe(401);
      const agent = await create();
      freshIp(t);
      const tok = (await login(agent.role_id, agent.secret_id)).body.token;
      const forbidden = await post({}, { token: tok });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe("forbidden");
      expect((await t.req("GET", "/v1/auth/approle", { token: tok })).status).toBe(403);
    });

    test("login returns a token bound to the role; whoami sees the AppRole", async () => {
      freshIp(t);
      const role = await create({ token_ttl_seconds: 120 });
      const r = await login(role.role_id, role.secret_id);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        identity: `approle:${role.role_id}`,
        policies: ["agent-read"],
        expires_in: 120,
      });
      const me = await whoami(r.body.token);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ identity: `approle:${role.role_id}`, policies: ["agent-read"] });
      const listed = await t.req<{ last_used: string | null }>(
        "GET",
        `/v1/auth/approle/${role.role_id}`,
        admin,
      );
      expect(listed.body.last_used).not.toBeNull();
    });

    test("wrong secret and unknown role_id both answer 401 and are audited without the secret", async () => {
      freshIp(t);
      const role = await create();
      const bad = await login(role.role_id, "not-the-secret");
      expect(bad.status).toBe(401);
      expect(bad.body.code).toBe("unauthorized");
      const unknown = await login("role-00000000-0000-0000-0000-000000000000", role.secret_id);
      expect(unknown.status).toBe(401);
      expect(unknown.body.error).toBe(bad.body.error);
      expect((await login("", "x")).status).toBe(400);

      const rows = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.auditLog)
        .where(eq(t.ctx.store.t.auditLog.action, "auth.approle.login.failure"));
      expect(rows.some((r) => r.identity === `approle:${role.role_id}`)).toBe(true);
      expect(rows.some((r) => r.identity === "anonymous")).toBe(true);
    });

    test("a suspended AppRole's still-valid token is refused at once, and login too", async () => {
      freshIp(t);
      const role = await create();
      const { token } = (await login(role.role_id, role.secret_id)).body;
      expect((await whoami(token)).status).toBe(200);

      const s = await t.req<{ suspended: boolean }>("PATCH", `/v1/auth/approle/${role.role_id}/suspend`, {
        ...admin,
        body: { suspended: true },
      });
      expect(s.status).toBe(200);
      expect(s.body.suspended).toBe(true);
      const refused = await whoami(token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("suspended");
      const l = await login(role.role_id, role.secret_id);
      expect(l.status).toBe(403);
      expect(l.body.code).toBe("suspended");

      await t.req("PATCH", `/v1/auth/approle/${role.role_id}/suspend`, {
        ...admin,
        body: { suspended: false },
      });
      expect((await whoami(token)).status).toBe(200);
    });

    test("suspend validates its body and the role", async () => {
      const role = await create();
      const path = `/v1/auth/approle/${role.role_id}/suspend`;
      expect((await t.req("PATCH", path, { ...admin, body: { suspended: "yes" } })).status).toBe(400);
      expect((await t.req("PATCH", path, { body: { suspended: true } })).status).toBe(401);
      const missing = await t.req<Err>("PATCH", "/v1/auth/approle/role-missing/suspend", {
        ...admin,
        body: { suspended: true },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe("not_found");
    });

    test("rotate-secret kills the old secret and every token issued with it", async () => {
      freshIp(t);
      const role = await create();
      const { token } = (await login(role.role_id, role.secret_id)).body;
      const r = await t.req<{ role_id: string; secret_id: string }>(
        "POST",
        `/v1/auth/approle/${role.role_id}/rotate-secret`,
        admin,
      );
      expect(r.status).toBe(200);
      expect(r.body.role_id).toBe(role.role_id);
      expect(r.body.secret_id).not.toBe(role.secret_id);
      secrets.push(r.body.secret_id);

      const old = await whoami(token);
      expect(old.status).toBe(401);
      expect(old.body.code).toBe("unauthorized");
      expect((await login(role.role_id, role.secret_id)).status).toBe(401);
      const fresh = await login(role.role_id, r.body.secret_id);
      expect(fresh.status).toBe(200);
      expect((await whoami(fresh.body.token)).status).toBe(200);

      expect((await t.req("POST", "/v1/auth/approle/role-missing/rotate-secret", admin)).status).toBe(404);
      expect((await t.req("POST", `/v1/auth/approle/${role.role_id}/rotate-secret`)).status).toBe(401);
    });

    test("update changes policies, name, TTL and allowlist, effective on the next request", async () => {
      freshIp(t);
      const role = await create();
      const { token } = (await login(role.role_id, role.secret_id)).body;
      const r = await t.req<Record<string, unknown>>("PUT", `/v1/auth/approle/${role.role_id}`, {
        ...admin,
        body: { display_name: "renamed", policies: ["agent-write"], token_ttl_seconds: 900 },
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        display_name: "renamed",
        policies: ["agent-write"],
        token_ttl_seconds: 900,
      });
      expect((await whoami(token)).body.policies).toEqual(["agent-write"]);
      expect((await login(role.role_id, role.secret_id)).body.expires_in).toBe(900);

      const locked = await t.req("PUT", `/v1/auth/approle/${role.role_id}`, {
        ...admin,
        body: { ip_allowlist: ["192.0.2.0/24"] },
      });
      expect(locked.status).toBe(200);
      const refused = await whoami(token);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("ip_not_allowed");
    });

    test("update refuses bad input, unknown roles and non-admins", async () => {
      const role = await create();
      const put = (body: unknown, opts: { token?: string } = admin, id = role.role_id) =>
        t.req<Err>("PUT", `/v1/auth/approle/${id}`, { ...opts, body });
      expect((await put({ ip_allowlist: ["not-a-cidr"] })).body).toMatchObject({
        code: "invalid_request",
        field: "ip_allowlist",
      });
      expect((await put({ policies: ["ghost"] })).body.field).toBe("policies");
      expect((await put({ token_ttl_seconds: 10 })).status).toBe(400);
      expect((await put({})).status).toBe(400);
      expect((await put({ display_name: "x" }, admin, "role-missing")).status).toBe(404);
      expect((await put({ display_name: "x" }, {})).status).toBe(401);
      const unchanged = await t.req<Created>("GET", `/v1/auth/approle/${role.role_id}`, admin);
      expect(unchanged.body.display_name).toBe("ci agent");
    });

    test("get refuses unknown roles and anonymous callers", async () => {
      expect((await t.req<Err>("GET", "/v1/auth/approle/role-missing", admin)).body.code).toBe("not_found");
      expect((await t.req("GET", "/v1/auth/approle")).status).toBe(401);
      const role = await create();
      expect((await t.req("GET", `/v1/auth/approle/${role.role_id}`)).status).toBe(401);
    });

    test("delete ends the role's tokens at once", async () => {
      freshIp(t);
      const role = await create();
      const { token } = (await login(role.role_id, role.secret_id)).body;
      const d = await t.req<{ role_id: string; deleted: boolean }>(
        "DELETE",
        `/v1/auth/approle/${role.role_id}`,
        admin,
      );
      expect(d.status).toBe(200);
      expect(d.body).toEqual({ role_id: role.role_id, deleted: true });
      expect((await whoami(token)).status).toBe(401);
      expect((await login(role.role_id, role.secret_id)).status).toBe(401);
      expect((await t.req("DELETE", `/v1/auth/approle/${role.role_id}`, admin)).status).toBe(404);
      expect((await t.req("GET", `/v1/auth/approle/${role.role_id}`, admin)).status).toBe(404);
    });

    test("CIDR allowlist: the client behind a trusted proxy is honored, others are refused", async () => {
      const role = await create({ ip_allowlist: ["203.0.113.0/24", "2001:db8::/32"] });
      t.setPeer("127.0.0.1");
      const inside = { "x-forwarded-for": "203.0.113.7" };
      const ok = await login(role.role_id, role.secret_id, inside);
      expect(ok.status).toBe(200);
      const me = await whoami(ok.body.token, inside);
      expect(me.status).toBe(200);
      expect(me.body.ip).toBe("203.0.113.7");
      expect((await login(role.role_id, role.secret_id, { "x-forwarded-for": "2001:db8::5" })).status).toBe(
        200,
      );

      const outside = await login(role.role_id, role.secret_id, { "x-forwarded-for": "198.51.100.9" });
      expect(outside.status).toBe(403);
      expect(outside.body.code).toBe("ip_not_allowed");
      const tokenOutside = await whoami(ok.body.token, { "x-forwarded-for": "198.51.100.9" });
      expect(tokenOutside.status).toBe(403);
      expect(tokenOutside.body.code).toBe("ip_not_allowed");
      // Spoofing: a client that is not a trusted proxy cannot claim an allowed address.
      t.setPeer("198.51.100.20");
      const spoofed = await login(role.role_id, role.secret_id, inside);
      expect(spoofed.status).toBe(403);
      expect(spoofed.body.code).toBe("ip_not_allowed");
      // The rightmost untrusted hop counts, not a forged leftmost one.
      t.setPeer("127.0.0.1");
      const forged = await login(role.role_id, role.secret_id, {
        "x-forwarded-for": "203.0.113.7, 198.51.100.9",
      });
      expect(forged.status).toBe(403);

      const audited = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.auditLog)
        .where(eq(t.ctx.store.t.auditLog.action, "auth.approle.login"));
      expect(
        audited.some((r) => r.identity === `approle:${role.role_id}` && r.sourceIp === "203.0.113.7"),
      ).toBe(true);
    });

    test("login is rate limited per IP with Retry-After, in-flight attempts included", async () => {
      freshIp(t);
      const role = await create();
      const burst = await Promise.all(
        Array.from({ length: APPROLE_LOGIN_LIMIT.limit + 4 }, () => login(role.role_id, "wrong")),
      );
      const statuses = burst.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(APPROLE_LOGIN_LIMIT.limit);
      expect(statuses).toContain(429);
      const limited = await login(role.role_id, role.secret_id);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      // Another address is not affected by this one's failures.
      freshIp(t);
      const other = await create();
      expect((await login(other.role_id, other.secret_id)).status).toBe(200);
    });

    test("login is rate limited per role_id across addresses", async () => {
      const role = await create();
      for (let i = 0; i < APPROLE_LOGIN_LIMIT.limit; i++) {
        freshIp(t);
        expect((await login(role.role_id, "wrong")).status).toBe(401);
      }
      freshIp(t);
      const r = await login(role.role_id, role.secret_id);
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBeTruthy();
    });

    test("every change is audited with the admin's address and no secret values", async () => {
      freshIp(t);
      const role = await create();
      await t.req("PUT", `/v1/auth/approle/${role.role_id}`, { ...admin, body: { display_name: "audited" } });
      await t.req("PATCH", `/v1/auth/approle/${role.role_id}/suspend`, {
        ...admin,
        body: { suspended: true },
      });
      await t.req("POST", `/v1/auth/approle/${role.role_id}/rotate-secret`, admin);
      await t.req("DELETE", `/v1/auth/approle/${role.role_id}`, admin);
      const rows = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.auditLog)
        .where(eq(t.ctx.store.t.auditLog.path, `approle:${role.role_id}`));
      const actions = rows.map((r) => r.action);
      for (const a of [
        "approle.create",
        "approle.update",
        "approle.suspend",
        "approle.rotate_secret",
        "approle.delete",
      ]) {
        expect(actions).toContain(a);
      }
      expect(rows.every((r) => r.identity === "root" && r.sourceIp?.startsWith("10.88."))).toBe(true);
      const all = JSON.stringify(await t.ctx.store.db.select().from(t.ctx.store.t.auditLog));
      for (const s of secrets) expect(all).not.toContain(s);
      for (const line of t.logs) for (const s of secrets) expect(line).not.toContain(s);
    });
  });
}
