import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { authorize, buildIndex, type Policy, parsePolicy } from "@gatehouse/core/policy";
import fc from "fast-check";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";

const ROOT = "root-token-for-policy-tests-0123456789abcdef";

type Listed = {
  name: string;
  source: string;
  active: boolean;
  rules: unknown[];
  changed_rules: unknown[];
  referenced_by: { approles: unknown[] };
};

for (const engine of ENGINES) {
  describe(`policies on ${engine}`, () => {
    let t: TestApp;
    const as = { token: ROOT };
    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      const dir = join(t.ctx.config.configDir, "policies");
      mkdirSync(dir, { recursive: true });
      // A Gatehouse-era file: `*` used to cross "/", so this rule's meaning changed.
      writeFileSync(
        join(dir, "agent-readonly.yaml"),
        "name: agent-readonly\nrules:\n  - path: app/*\n    capabilities: [read, list]\n",
      );
      writeFileSync(
        join(dir, "broken.yaml"),
        "name: broken\nrules:\n  - paths: [x]\n    capabilities: [fly]\n",
      );
    });
    afterAll(() => t.close());

    test("reload reads every file, flags changed meaning and reports broken files", async () => {
      const r = await t.req<{
        imported: string[];
        changed: { name: string }[];
        file_errors: { file: string }[];
      }>("POST", "/v1/policy/reload", as);
      expect(r.status).toBe(200);
      expect(r.body.imported).toEqual(["agent-readonly"]);
      expect(r.body.changed.map((c) => c.name)).toEqual(["agent-readonly"]);
      expect(r.body.file_errors.map((f) => f.file)).toEqual(["broken.yaml"]);
    });

    test("list shows sources; the built-in admin is protected; file policies are read-only", async () => {
      const r = await t.req<{ policies: Listed[] }>("GET", "/v1/policy", as);
      expect(r.status).toBe(200);
      const byName = Object.fromEntries(r.body.policies.map((p) => [p.name, p]));
      expect(byName.admin?.source).toBe("builtin");
      expect(byName["agent-readonly"]?.source).toBe("yaml");
      expect(byName["agent-readonly"]?.changed_rules.length).toBe(1);
      for (const name of ["admin", "agent-readonly"]) {
        const put = await t.req<{ code: string }>("PUT", `/v1/policy/${name}`, {
          ...as,
          body: { rules: [] },
        });
        expect(put.status).toBe(409);
        expect(put.body.code).toBe("read_only");
        expect((await t.req("DELETE", `/v1/policy/${name}`, as)).status).toBe(409);
      }
      expect(
        (await t.req("POST", "/v1/policy", { ...as, body: { name: "agent-readonly", rules: [] } })).status,
      ).toBe(409);
    });

    test("database policy CRUD with validation errors naming the field", async () => {
      const bad = await t.req<{ code: string; error: string }>("POST", "/v1/policy", {
        ...as,
        body: { name: "ci", rules: [{ paths: ["ci/**"], capabilities: ["read", "fly"] }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("policy_invalid");
      expect(bad.body.error).toContain("rules[0].capabilities");
      const created = await t.req<{ name: string }>("POST", "/v1/policy", {
        ...as,
        body: {
          name: "ci",
          description: "CI agents",
          rules: [{ paths: ["ci/**"], capabilities: ["read", "lease"] }],
        },
      });
      expect(created.status).toBe(201);
      expect((await t.req("POST", "/v1/policy", { ...as, body: { name: "ci", rules: [] } })).status).toBe(
        409,
      );
      const got = await t.req<{ source: string; rules: { paths: string[] }[] }>("GET", "/v1/policy/ci", as);
      expect(got.body.source).toBe("db");
      const upd = await t.req("PUT", "/v1/policy/ci", {
        ...as,
        body: {
          rules: [
            { paths: ["ci/**"], capabilities: ["read"] },
            { paths: ["ci/prod/**"], capabilities: ["deny"] },
          ],
        },
      });
      expect(upd.status).toBe(200);
      expect((await t.req("PUT", "/v1/policy/nope", { ...as, body: { rules: [] } })).status).toBe(404);
      expect((await t.req("GET", "/v1/policy/nope", as)).status).toBe(404);
      expect((await t.req("GET", "/v1/policy/bad name", as)).status).toBe(400);
    });

    test("simulate names the deciding deny rule; the decision is the same the routes use", async () => {
      const deny = await t.req<{ decision: { allowed: boolean; reason: { policy: string; rule: number } } }>(
        "POST",
        "/v1/policy/simulate",
        {
          ...as,
          body: { policies: ["ci"], capability: "read", path: "ci/prod/db" },
        },
      );
      expect(deny.status).toBe(200);
      expect(deny.body.decision).toMatchObject({ allowed: false, reason: { policy: "ci", rule: 1 } });
      const allow = await t.req<{ decision: { allowed: boolean } }>("POST", "/v1/policy/simulate", {
        ...as,
        body: { policies: ["ci"], capability: "read", path: "ci/staging/db" },
      });
      expect(allow.body.decision.allowed).toBe(true);
      expect(
        (await t.req("POST", "/v1/policy/simulate", { ...as, body: { capability: "read", path: "x" } }))
          .status,
      ).toBe(400);
      expect(
        (
          await t.req("POST", "/v1/policy/simulate", {
            ...as,
            body: { policies: ["ci"], capability: "fly", path: "x" },
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await t.req("POST", "/v1/policy/simulate", {
            ...as,
            body: { approle: "role-missing", capability: "read", path: "x" },
          })
        ).status,
      ).toBe(404);
    });

    test("validate reports errors without saving", async () => {
      const r = await t.req<{ valid: boolean; errors: { path: string }[] }>("POST", "/v1/policy/validate", {
        ...as,
        body: { document: "name: x\nrules:\n  - paths: [a/?]\n    capabilities: [read]\n" },
      });
      expect(r.status).toBe(200);
      expect(r.body.valid).toBe(false);
      expect(r.body.errors[0]?.path).toContain("rules[0].paths[0]");
      expect((await t.req("POST", "/v1/policy/validate", { ...as, body: {} })).status).toBe(400);
    });

    test("delete, and everything is audited", async () => {
      expect((await t.req("DELETE", "/v1/policy/ci", as)).status).toBe(200);
      expect((await t.req("DELETE", "/v1/policy/ci", as)).status).toBe(404);
      const rows = await t.ctx.store.db.select().from(t.ctx.store.t.auditLog);
      const actions = rows.map((r) => r.action);
      for (const a of ["policy.save", "policy.update", "policy.delete", "policy.reload"])
        expect(actions).toContain(a);
    });

    test("a file and a database policy with one name is reported as a conflict; the file wins", async () => {
      const now = Date.now();
      const doc = { name: "agent-readonly", rules: [{ paths: ["**"], capabilities: ["admin"] }] };
      await t.ctx.store.tx((tx) =>
        tx
          .insert(t.ctx.store.t.policies)
          .values({ name: "agent-readonly", document: doc, createdAt: now, updatedAt: now }),
      );
      await t.req("POST", "/v1/policy/reload", as);
      const r = await t.req<{ conflicts: { name: string }[]; policies: Listed[] }>("GET", "/v1/policy", as);
      expect(r.body.conflicts.map((c) => c.name)).toEqual(["agent-readonly"]);
      const db = r.body.policies.find((p) => p.name === "agent-readonly" && p.source === "db");
      expect(db?.active).toBe(false);
      // The database twin must not grant its `admin` on `**`: the file's rules apply.
      expect(t.ctx.policies.authorize({ policies: ["agent-readonly"] }, "admin", "x").allowed).toBe(false);
    });

    test("policy routes need a global admin", async () => {
      expect((await t.req("POST", "/v1/policy/reload")).status).toBe(401);
      expect((await t.req("GET", "/v1/policy")).status).toBe(401);
      expect((await t.req("GET", "/v1/policy", { token: "not-a-token" })).status).toBe(401);
    });
  });
}

describe("browser-side and server-side evaluation agree", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
  });
  afterAll(() => t.close());

  const seg = fc.constantFrom("a", "b", "c", "prod", "*", "**");
  const glob = fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"));
  const cap = fc.constantFrom("read", "write", "list", "lease", "deny", "admin");
  const path = fc
    .array(fc.constantFrom("a", "b", "c", "prod"), { minLength: 1, maxLength: 4 })
    .map((s) => s.join("/"));
  const rules = fc.array(
    fc.record({
      paths: fc.array(glob, { minLength: 1, maxLength: 2 }),
      capabilities: fc.uniqueArray(cap, { minLength: 1, maxLength: 3 }),
    }),
    { minLength: 1, maxLength: 4 },
  );

  test("random database policies: the SPA's evaluation (core in the browser) equals /v1/policy/simulate", async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        rules,
        fc.array(path, { minLength: 1, maxLength: 5 }),
        fc.constantFrom("read", "write", "list", "lease"),
        async (rs, paths, capability) => {
          const name = `p${round++}`;
          const created = await t.req("POST", "/v1/policy", { token: ROOT, body: { name, rules: rs } });
          if (created.status !== 201) return true; // an invalid random glob (e.g. `a**`) is the parser's business
          const listed = await t.req<{ policies: (Policy & { source: string })[] }>("GET", "/v1/policy", {
            token: ROOT,
          });
          const index = buildIndex(
            listed.body.policies
              .filter((p) => p.source !== "builtin")
              .map((p) => parsePolicy({ name: p.name, rules: p.rules })),
          );
          for (const p of paths) {
            const local = authorize({ policies: [name] }, capability as "read", p, index);
            const remote = await t.req<{
              decision: { allowed: boolean; reason: { policy: string | null; rule: number | null } };
            }>("POST", "/v1/policy/simulate", {
              token: ROOT,
              body: { policies: [name], capability, path: p },
            });
            expect(remote.body.decision.allowed).toBe(local.allowed);
            expect(remote.body.decision.reason.policy).toBe(local.reason.policy ?? null);
            expect(remote.body.decision.reason.rule).toBe(local.reason.rule ?? null);
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("policies at boot", () => {
  test("database and file policies are loaded when the server starts on an existing store", async () => {
    const first = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
    await first.req("POST", "/v1/policy", {
      token: ROOT,
      body: { name: "persisted", rules: [{ paths: ["p/**"], capabilities: ["read"] }] },
    });
    // A second context on the same data directory and key: a restart.
    const { buildContext } = await import("../src/boot");
    const again = await buildContext(first.ctx.config, { logSink: () => {} });
    expect(again.policies.authorize({ policies: ["persisted"] }, "read", "p/x").allowed).toBe(true);
    await again.store.close();
    await first.close();
  });
});
