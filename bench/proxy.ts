// Proxy with injection to a loopback upstream: throughput, and the latency the proxy adds at one
// connection over calling the same upstream directly. Prints JSON lines for bench/run.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../apps/server/test/harness/postgres";
import { ROOT as REPO } from "../scripts/lib";
import { shareOfCeiling, startChild, type WrkResult, wrk } from "./lib";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const ROOT = "bench-root-token-0123456789abcdef0123456789";
const dir = mkdtempSync(join(tmpdir(), "gh-bench-proxy-"));
const emit = (name: string, r: WrkResult | Record<string, number>) =>
  console.log(JSON.stringify({ name, ...r }));

// The upstream is the ceiling server: the cheapest JSON endpoint Bun serves, in its own process.
const upstream = await startChild(["bun", join(import.meta.dir, "ceiling.ts")], {});
const port = await freePort();
const server = await startChild(
  ["bun", join(REPO, "apps/server/src/main.ts")],
  {
    GATEHOUSE_ENV: "development",
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_DATA_DIR: dir,
    GATEHOUSE_CONFIG_DIR: join(dir, "config"),
    GATEHOUSE_MASTER_KEY: "cd".repeat(32),
    GATEHOUSE_ROOT_TOKEN: ROOT,
    GATEHOUSE_LOG_LEVEL: "error",
  },
  (p) => `http://127.0.0.1:${p}/health`,
  port,
);
const url = `http://127.0.0.1:${port}`;

async function api(method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ROOT}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, string>;
}

try {
  // An AppRole agent with proxy on one secret that may go to the loopback upstream.
  await api("POST", "/v1/policy", {
    name: "bench-proxy",
    rules: [{ paths: ["bench/**"], capabilities: ["proxy"] }],
  });
  await api("POST", "/v1/secrets/bench/token", {
    value: `bench-${"k".repeat(40)}`,
    metadata: { allowed_domains: "127.0.0.1" },
  });
  const role = await api("POST", "/v1/auth/approle", {
    display_name: "bench-proxy",
    policies: ["bench-proxy"],
  });
  const { token } = await api("POST", "/v1/auth/approle/login", {
    role_id: role.role_id,
    secret_id: role.secret_id,
  });

  const target = `http://127.0.0.1:${upstream.port}/`;
  const call = JSON.stringify({ method: "GET", url: target, inject: { Authorization: "bench/token" } });
  const check = await fetch(`${url}/v1/proxy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: call,
  });
  const checked = (await check.json()) as { status?: number };
  if (check.status !== 200 || checked.status !== 200)
    throw new Error(`proxy check failed: ${JSON.stringify(checked)}`);

  const script = join(dir, "proxy.lua");
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${JSON.stringify(call)}`,
      'wrk.headers["Content-Type"] = "application/json"',
      `wrk.headers["Authorization"] = "Bearer ${token}"`,
      "",
    ].join("\n"),
  );
  const short = Math.min(seconds, 3);
  const direct = wrk(target, { seconds: short, connections: 1 });
  const one = wrk(`${url}/v1/proxy`, { seconds: short, connections: 1, script });
  // The upstream is the ceiling server, so the ceiling is measured on it, in turn with the proxy.
  const many = shareOfCeiling(target, () => wrk(`${url}/v1/proxy`, { seconds, connections: 32, script }));
  emit("proxy", many);
  emit("proxy_1conn", one);
  emit("proxy_upstream_1conn", direct);
  emit("proxy_added_latency", {
    added_p50_ms: Math.round((one.p50_ms - direct.p50_ms) * 1000) / 1000,
    added_p99_ms: Math.round((one.p99_ms - direct.p99_ms) * 1000) / 1000,
  });
} finally {
  server.proc.kill();
  upstream.proc.kill();
  rmSync(dir, { recursive: true, force: true });
}
