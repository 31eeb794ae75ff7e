import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { LINK_EXCHANGE_LIMIT } from "../src/modules/links/service";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";

const ROOT = "root-token-for-link-tests-0123456789abcdef";

type Role = { role_id: string; secret_id: string };
type Link = {
  id: string;
  token: string;
  onboard_url?: string;
  rotate_url?: string;
  expires_at: string;
  role_display_name: string;
  policies: string[];
};
type Onboarded = {
  token: string;
  identity: string;
  policies: string[];
  expires_in: number;
  role_id: string;
  secret_id: string;
  base_url: string;
  mcp_url: string;
  role_display_name: string;
};
type Listed = { tokens: { id: string; role_id: string; status: string; label: string | null }[] };
type Err = { code: string; error: string };

let ipSeq = 0;
/** A fresh client address per test, so one test's per-IP rate limit never reaches the next. */
const freshIp = (t: TestApp) => {
  ipSeq++;
  const ip = `10.89.${Math.floor(ipSeq / 250)}.${(ipSeq % 250) + 1}`;
  t.setPeer(ip);
  return ip;
};

for (const engine of ENGINES) {
  describe(`onboarding and rotate links on ${engine}`, () => {
    let t: TestApp;
    const admin = { token: ROOT };
    const spent: string[] = [];

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
    });
    afterAll(() => t.close());

    async function role(body: Record<string, unknown> = {}): Promise<Role> {
      const r = await t.req<Role>("POST", "/v1/auth/approle", {
        ...admin,
        body: { display_name: "deploy *bot*", policies: ["admin"], ...body },
      });
      expect(r.status).toBe(201);
      spent.push(r.body.secret_id);
      return r.body;
    }
    async function link(kind: "onboard" | "rotate", role_id: string, extra: Record<string, unknown> = {}) {
      const r = await t.req<Link>("POST", `/v1/${kind}`, { ...admin, body: { role_id, ...extra } });
      expect(r.status).toBe(200);
      spent.push(r.body.token);
      return r.body;
    }
    const exchange = <T = Onboarded>(
      kind: "onboard" | "rotate",
      token: string,
      headers?: Record<string, string>,
    ) => t.req<T & Err>("POST", `/v1/${kind}/${token}/exchange`, { headers });
    const whoami = (token: string) => t.req<Err>("GET", "/v1/auth/whoami", { token });

    test("create returns a one-time URL on the request's own origin, never X-Forwarded-Host", async () => {
      freshIp(t);
      const r0 = await role();
      const r = await t.req<Link>("POST", "/v1/onboard", {
        ...admin,
        body: { role_id: r0.role_id, ttl_seconds: 600, label: "laptop" },
        headers: { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
      });
      expect(r.status).toBe(200);
      expect(r.body.id).toMatch(/^onboard-[0-9a-f-]{36}$/);
      expect(r.body.onboard_url).toBe(`http://localhost/v1/onboard/${r.body.token}`);
      expect(r.body).toMatchObject({ role_display_name: "deploy *bot*", policies: ["admin"] });
      const ttl = Date.parse(r.body.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(590_000);
      expect(ttl).toBeLessThanOrEqual(600_000);
      spent.push(r.body.token);
      const row = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.links)
        .where(eq(t.ctx.store.t.links.id, r.body.id));
      expect(row[0]?.tokenHash).not.toBe(r.body.token);
      expect(JSON.stringify(row)).not.toContain(r.body.token);
      // Default TTL: 900 s.
      const d = await link("onboard", r0.role_id);
      expect(Date.parse(d.expires_at) - Date.now()).toBeGreaterThan(890_000);
    });

    test("create refuses bad TTLs, unknown roles and anonymous callers", async () => {
      const r0 = await role();
      const post = (body: Record<string, unknown>, opts: { token?: string } = admin) =>
        t.req<Err>("POST", "/v1/onboard", { ...opts, body: { role_id: r0.role_id, ...body } });
      expect((await post({ ttl_seconds: 59 })).status).toBe(400);
      expect((await post({ ttl_seconds: 3601 })).status).toBe(400);
      expect((await post({ label: "x".repeat(201) })).status).toBe(400);
      const missing = await post({ role_id: "role-missing" });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe("not_found");
      expect((await post({}, {})).status).toBe(401);
      expect((await t.req("POST", "/v1/rotate", { body: { role_id: r0.role_id } })).status).toBe(401);
      expect(
        (await t.req("POST", "/v1/rotate", { ...admin, body: { role_id: "role-missing" } })).status,
      ).toBe(404);
    });

    test("the link renders a markdown bootstrap document until it is exchanged", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      const first = await t.req("GET", `/v1/onboard/${l.token}`);
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toStartWith("text/markdown");
      expect(first.headers.get("cache-control")).toBe("no-store");
      const doc = first.text;
      expect(doc).toContain("http://localhost/v1/mcp");
      expect(doc).toContain(`http://localhost/v1/onboard/${l.token}/exchange`);
      expect(doc).toContain(r0.role_id);
      expect(doc).toContain("`admin`");
      expect(doc).toContain("deploy \\*bot\\*");
      expect(doc).toContain("| Situation | What to do |");
      expect(doc).not.toContain(r0.secret_id);
      const again = await t.req("GET", `/v1/onboard/${l.token}`);
      expect(again.status).toBe(200);
      expect(again.text).toBe(doc);

      expect((await exchange("onboard", l.token)).status).toBe(200);
      const after = await t.req<Err>("GET", `/v1/onboard/${l.token}`);
      expect(after.status).toBe(410);
      expect(after.body.code).toBe("gone");
      const unknown = await t.req<Err>("GET", "/v1/onboard/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      expect(unknown.status).toBe(404);
    });

    test("exchange is single use, rotates the secret_id and returns credentials", async () => {
      freshIp(t);
      const r0 = await role({ token_ttl_seconds: 300 });
      const before = (await t.req<{ token: string }>("POST", "/v1/auth/approle/login", { body: r0 })).body
        .token;
      const l = await link("onboard", r0.role_id);
      const r = await exchange("onboard", l.token);
      expect(r.status).toBe(200);
      spent.push(r.body.secret_id);
      expect(r.body).toMatchObject({
        identity: `approle:${r0.role_id}`,
        policies: ["admin"],
        expires_in: 300,
        role_id: r0.role_id,
        base_url: "http://localhost",
        mcp_url: "http://localhost/v1/mcp",
        role_display_name: "deploy *bot*",
      });
      expect(r.body.secret_id).not.toBe(r0.secret_id);
      expect((await whoami(r.body.token)).status).toBe(200);
      // The old secret and its tokens stop at once.
      expect((await whoami(before)).status).toBe(401);
      expect((await t.req("POST", "/v1/auth/approle/login", { body: r0 })).status).toBe(401);
      const fresh = await t.req("POST", "/v1/auth/approle/login", {
        body: { role_id: r0.role_id, secret_id: r.body.secret_id },
      });
      expect(fresh.status).toBe(200);

      const reused = await exchange("onboard", l.token);
      expect(reused.status).toBe(410);
      expect(reused.body.code).toBe("gone");
      expect((await exchange("onboard", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    });

    test("two simultaneous exchanges: exactly one wins", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      const results = await Promise.all([exchange("onboard", l.token), exchange("onboard", l.token)]);
      for (const r of results) if (r.status === 200) spent.push(r.body.secret_id);
      expect(results.map((r) => r.status).sort()).toEqual([200, 410]);
    });

    test("exchange from an address outside the allowlist is refused and keeps the link", async () => {
      const r0 = await role({ ip_allowlist: ["203.0.113.0/24"] });
      const l = await link("onboard", r0.role_id);
      t.setPeer("127.0.0.1");
      const refused = await exchange("onboard", l.token, { "x-forwarded-for": "198.51.100.4" });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("ip_not_allowed");
      // A non-proxy peer cannot borrow an allowed address through the header.
      t.setPeer("198.51.100.5");
      expect((await exchange("onboard", l.token, { "x-forwarded-for": "203.0.113.9" })).status).toBe(403);
      expect((await t.req("GET", `/v1/onboard/${l.token}`)).status).toBe(200);
      // The old secret still works: nothing was rotated.
      t.setPeer("127.0.0.1");
      const inside = { "x-forwarded-for": "203.0.113.9" };
      const login = await t.req("POST", "/v1/auth/approle/login", { body: r0, headers: inside });
      expect(login.status).toBe(200);
      const ok = await exchange("onboard", l.token, inside);
      expect(ok.status).toBe(200);
      spent.push(ok.body.secret_id);
    });

    test("exchange for a suspended AppRole is refused and consumes the link", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      await t.req("PATCH", `/v1/auth/approle/${r0.role_id}/suspend`, { ...admin, body: { suspended: true } });
      const r = await exchange("onboard", l.token);
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("suspended");
      await t.req("PATCH", `/v1/auth/approle/${r0.role_id}/suspend`, {
        ...admin,
        body: { suspended: false },
      });
      expect((await exchange("onboard", l.token)).status).toBe(410);
      // The secret was not rotated.
      expect((await t.req("POST", "/v1/auth/approle/login", { body: r0 })).status).toBe(200);
    });

    test("an expired link answers 410", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      await t.ctx.store.tx((tx) =>
        tx
          .update(t.ctx.store.t.links)
          .set({ expiresAt: Date.now() - 1 })
          .where(eq(t.ctx.store.t.links.id, l.id)),
      );
      expect((await t.req("GET", `/v1/onboard/${l.token}`)).status).toBe(410);
      expect((await exchange("onboard", l.token)).status).toBe(410);
      const listed = await t.req<Listed>("GET", `/v1/onboard?role_id=${r0.role_id}`, admin);
      expect(listed.body.tokens.map((x) => x.status)).toEqual(["expired"]);
    });

    test("exchange is rate limited per IP, counting every attempt, with Retry-After", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      for (let i = 0; i < LINK_EXCHANGE_LIMIT.limit; i++) {
        expect((await exchange("onboard", `bogus-token-${i}-xxxxxxxxxxxxxxxx`)).status).toBe(404);
      }
      const limited = await exchange("onboard", l.token);
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe("rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      freshIp(t);
      const ok = await exchange("onboard", l.token);
      expect(ok.status).toBe(200);
      spent.push(ok.body.secret_id);
    });

    test("list shows onboarding links with status, never tokens; filters by role and consumption", async () => {
      freshIp(t);
      const r0 = await role();
      const a = await link("onboard", r0.role_id, { label: "first" });
      const b = await link("onboard", r0.role_id, { label: "second" });
      await link("rotate", r0.role_id);
      const ex = await exchange("onboard", a.token);
      spent.push(ex.body.secret_id);
      const active = await t.req<Listed>("GET", `/v1/onboard?role_id=${r0.role_id}`, admin);
      expect(active.status).toBe(200);
      expect(active.body.tokens.map((x) => [x.id, x.status, x.label])).toEqual([[b.id, "active", "second"]]);
      expect(active.text).not.toContain(b.token);
      const all = await t.req<Listed>(
        "GET",
        `/v1/onboard?role_id=${r0.role_id}&include_consumed=true`,
        admin,
      );
      expect(all.body.tokens.map((x) => x.status).sort()).toEqual(["active", "consumed"]);
      const everyone = await t.req<Listed>("GET", "/v1/onboard", admin);
      expect(everyone.body.tokens.length).toBeGreaterThanOrEqual(1);
      expect(everyone.body.tokens.every((x) => x.status !== "consumed")).toBe(true);

      expect((await t.req("GET", "/v1/onboard")).status).toBe(401);
      expect((await t.req("GET", "/v1/onboard?include_consumed=maybe", admin)).status).toBe(400);
    });

    test("revoke ends an unused link; a used one answers 410", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      const r = await t.req<{ id: string; revoked: boolean }>("DELETE", `/v1/onboard/${l.id}`, admin);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ id: l.id, revoked: true });
      expect((await t.req("GET", `/v1/onboard/${l.token}`)).status).toBe(410);
      expect((await exchange("onboard", l.token)).status).toBe(410);
      expect((await t.req("DELETE", `/v1/onboard/${l.id}`, admin)).status).toBe(410);

      const used = await link("onboard", r0.role_id);
      const ex = await exchange("onboard", used.token);
      spent.push(ex.body.secret_id);
      const gone = await t.req<Err>("DELETE", `/v1/onboard/${used.id}`, admin);
      expect(gone.status).toBe(410);
      expect(gone.body.code).toBe("gone");

      expect(
        (await t.req("DELETE", "/v1/onboard/onboard-00000000-0000-0000-0000-000000000000", admin)).status,
      ).toBe(404);
      // A token is not an id: ids carry the "onboard-" prefix.
      expect((await t.req("DELETE", `/v1/onboard/${l.token}`, admin)).status).toBe(400);
      const other = await link("onboard", r0.role_id);
      expect((await t.req("DELETE", `/v1/onboard/${other.id}`)).status).toBe(401);
      expect((await t.req("GET", `/v1/onboard/${other.token}`)).status).toBe(200);
    });

    test("rotate links: markdown, then a new secret_id without a token, once", async () => {
      freshIp(t);
      const r0 = await role();
      const before = (await t.req<{ token: string }>("POST", "/v1/auth/approle/login", { body: r0 })).body
        .token;
      const l = await link("rotate", r0.role_id);
      expect(l.id).toMatch(/^rotate-/);
      expect(l.rotate_url).toBe(`http://localhost/v1/rotate/${l.token}`);

      const doc = await t.req("GET", `/v1/rotate/${l.token}`);
      expect(doc.status).toBe(200);
      expect(doc.headers.get("content-type")).toStartWith("text/markdown");
      expect(doc.text).toContain(`http://localhost/v1/rotate/${l.token}/exchange`);
      // An onboarding route does not accept a rotate token, nor the reverse.
      expect((await t.req("GET", `/v1/onboard/${l.token}`)).status).toBe(404);

      const r = await exchange<Record<string, string>>("rotate", l.token);
      expect(r.status).toBe(200);
      spent.push(r.body.secret_id ?? "");
      expect(Object.keys(r.body).sort()).toEqual(["base_url", "role_display_name", "role_id", "secret_id"]);
      expect(r.body.role_id).toBe(r0.role_id);
      expect((await whoami(before)).status).toBe(401);
      expect(
        (
          await t.req("POST", "/v1/auth/approle/login", {
            body: { role_id: r0.role_id, secret_id: r.body.secret_id },
          })
        ).status,
      ).toBe(200);

      expect((await exchange("rotate", l.token)).status).toBe(410);
      expect((await t.req("GET", `/v1/rotate/${l.token}`)).status).toBe(410);
      expect((await t.req("GET", "/v1/rotate/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    });

    test("rotate exchange follows the allowlist and suspension rules", async () => {
      const r0 = await role({ ip_allowlist: ["203.0.113.0/24"] });
      const l = await link("rotate", r0.role_id);
      t.setPeer("127.0.0.1");
      const refused = await exchange("rotate", l.token, { "x-forwarded-for": "198.51.100.4" });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe("ip_not_allowed");
      expect((await t.req("GET", `/v1/rotate/${l.token}`)).status).toBe(200);
      await t.req("PATCH", `/v1/auth/approle/${r0.role_id}/suspend`, { ...admin, body: { suspended: true } });
      const suspended = await exchange("rotate", l.token, { "x-forwarded-for": "203.0.113.1" });
      expect(suspended.status).toBe(403);
      expect(suspended.body.code).toBe("suspended");
      expect((await exchange("rotate", l.token, { "x-forwarded-for": "203.0.113.1" })).status).toBe(410);
    });

    test("deleting the AppRole removes its links", async () => {
      freshIp(t);
      const r0 = await role();
      const l = await link("onboard", r0.role_id);
      expect((await t.req("DELETE", `/v1/auth/approle/${r0.role_id}`, admin)).status).toBe(200);
      expect((await t.req("GET", `/v1/onboard/${l.token}`)).status).toBe(404);
      const rows = await t.ctx.store.db
        .select()
        .from(t.ctx.store.t.links)
        .where(eq(t.ctx.store.t.links.roleId, r0.role_id));
      expect(rows).toEqual([]);
    });

    test("links are audited with the caller's address and never with a token or secret", async () => {
      const rows = await t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
      const actions = new Set(rows.map((r) => r.action));
      for (const a of [
        "onboard.create",
        "onboard.view",
        "onboard.exchange",
        "onboard.exchange.failure",
        "onboard.revoke",
        "rotate.create",
        "rotate.exchange",
        "approle.rotate_secret",
      ]) {
        expect(actions.has(a)).toBe(true);
      }
      const exchanged = rows.filter((r) => r.action === "onboard.exchange");
      expect(exchanged.every((r) => r.sourceIp?.startsWith("10.89.") || r.sourceIp === "203.0.113.9")).toBe(
        true,
      );
      const text = JSON.stringify(rows) + t.logs.join("\n");
      for (const s of spent) expect(text).not.toContain(s);
    });
  });
}

describe("links with GATEHOUSE_PUBLIC_URL", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("sqlite", {
      GATEHOUSE_ROOT_TOKEN: ROOT,
      GATEHOUSE_PUBLIC_URL: "https://vault.example.com",
    });
  });
  afterAll(() => t.close());

  test("URLs use the configured public URL whatever the request says", async () => {
    const r0 = await t.req<Role>("POST", "/v1/auth/approle", {
      token: ROOT,
      body: { display_name: "a", policies: ["admin"] },
    });
    const l = await t.req<Link>("POST", "/v1/onboard", {
      token: ROOT,
      body: { role_id: r0.body.role_id },
      headers: { host: "attacker.example", "x-forwarded-host": "evil.example" },
    });
    expect(l.body.onboard_url).toBe(`https://vault.example.com/v1/onboard/${l.body.token}`);
    const doc = await t.req("GET", `/v1/onboard/${l.body.token}`, {
      headers: { "x-forwarded-host": "evil.example" },
    });
    expect(doc.text).toContain("https://vault.example.com/v1/mcp");
    expect(doc.text).not.toContain("evil.example");
    const ex = await t.req<Onboarded>("POST", `/v1/onboard/${l.body.token}/exchange`);
    expect(ex.body).toMatchObject({
      base_url: "https://vault.example.com",
      mcp_url: "https://vault.example.com/v1/mcp",
    });
  });
});
