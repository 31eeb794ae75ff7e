import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestApp, type TestApp } from "./harness/app";
import { appRoutes, matchRoute } from "./meta/routes";

// docs/compat.md is the promise to Gatehouse users; this keeps it true as routes land.
const doc = readFileSync(join(import.meta.dir, "../../../docs/compat.md"), "utf8");
const rows = [
  ...doc.matchAll(/^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|/gm),
].map((m) => ({
  method: m[1] as string,
  path: m[2] as string,
  status: (m[3] as string).trim(),
}));
const concrete = (p: string) => p.replace(/:[a-zA-Z]+/g, "x1");

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp("sqlite");
});
afterAll(() => t.close());

describe("docs/compat.md", () => {
  test("lists every Gatehouse route once", () => {
    expect(rows.length).toBeGreaterThanOrEqual(76);
    const keys = rows.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("implemented routes are registered, planned ones are not, 410 ones answer 410", async () => {
    const routes = appRoutes(t.app);
    for (const row of rows) {
      const path = concrete(row.path);
      if (row.status === "implemented") {
        const route = matchRoute(routes, row.method, path);
        expect(route, `${row.method} ${row.path} should be registered`).toBeDefined();
      } else if (row.status === "410") {
        expect((await t.req(row.method, path)).status, `${row.method} ${row.path}`).toBe(410);
      } else {
        expect(row.status).toMatch(/^planned \(#\d+\)$/);
        const r = await t.req<{ code: string }>(row.method, path);
        expect(r.status, `${row.method} ${row.path} is marked planned but answers`).toBe(404);
        expect(r.body.code).toBe("not_found");
      }
    }
  });
});
