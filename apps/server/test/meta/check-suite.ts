// Runs after the whole server suite (scripts/test.ts): every route needs a success and a failure test,
// and the canary secret must never appear in a log line or audit entry, raw or encoded.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, createTestApp } from "../harness/app";
import { appRoutes, matchRoute } from "./routes";

const out = process.env.GATEHOUSE_TEST_OUT;
if (!out) throw new Error("GATEHOUSE_TEST_OUT is not set");
const read = (f: string) => (existsSync(join(out, f)) ? readFileSync(join(out, f), "utf8") : "");

const problems: string[] = [];
const t = await createTestApp("sqlite");
const routes = appRoutes(t.app);
await t.close();

const seen = new Map<string, { ok: boolean; fail: boolean }>();
for (const line of read("hits.jsonl").split("\n").filter(Boolean)) {
  const hit = JSON.parse(line) as { method: string; path: string; status: number };
  const route = matchRoute(routes, hit.method, hit.path);
  if (!route) continue;
  const key = `${route.method} ${route.path}`;
  const s = seen.get(key) ?? { ok: false, fail: false };
  if (hit.status < 400) s.ok = true;
  else if (hit.status < 500) s.fail = true;
  seen.set(key, s);
}
// Public, input-free reads: no request to them can be a client error, so only success is required.
const NO_CLIENT_ERROR = new Set([
  "GET /health",
  "GET /health/live",
  "GET /health/ready",
  "GET /openapi",
  "GET /v1/ui/bootstrap",
]);
// Routes that exist only to refuse, so no request to them can succeed: Gatehouse's SSE pair (410, see
// docs/compat.md) and the stateless MCP endpoint's GET and DELETE (405). Only the failure is required.
const REFUSE_ONLY = new Set(["GET /v1/mcp/sse", "POST /v1/mcp/message", "GET /v1/mcp", "DELETE /v1/mcp"]);
for (const r of routes) {
  const key = `${r.method} ${r.path}`;
  const s = seen.get(key);
  if (!s?.ok && !REFUSE_ONLY.has(key)) problems.push(`route ${key} has no success test`);
  if (!s?.fail && !NO_CLIENT_ERROR.has(key)) problems.push(`route ${key} has no failure (4xx) test`);
}

const forms = [
  CANARY,
  Buffer.from(CANARY).toString("base64"),
  Buffer.from(CANARY).toString("base64url"),
  encodeURIComponent(CANARY),
];
for (const file of ["logs.jsonl", "audit.jsonl"]) {
  const text = read(file);
  if (!text) problems.push(`${file} is empty: the suite did not record it`);
  for (const f of forms) if (text.includes(f)) problems.push(`the canary secret appears in ${file}`);
}

console.log(
  `meta: ${routes.length} routes checked for success and failure tests; canary scanned in logs and audit`,
);
if (problems.length) {
  for (const p of problems) console.error(`meta: ${p}`);
  process.exit(1);
}
