// Bounded soak (issue 15): a real server process on loopback under a steady mix of audited secret reads,
// writes, lease checkouts and revocations, and proxied calls to a loopback upstream. Passes when no
// request fails and memory is flat: resident memory at the end is within 30% (plus a small allowance)
// of what it was after the warm-up.
//
//   bun run soak                         # long form: 10 minutes (or bun run soak --duration=3600)
//   bun scripts/soak.ts --duration=20    # the short form `bun run test` runs
//   bun scripts/soak.ts --engine=pg      # against a throwaway PostgreSQL cluster instead of SQLite
//
// Loopback only: the server, the upstream and the optional PostgreSQL cluster all listen on 127.0.0.1.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloneDatabase, type PgCluster, startPostgres } from "../apps/server/test/harness/postgres";
import { callJson, startServerProcess } from "../apps/server/test/harness/server-process";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const seconds = Number(arg("duration") ?? 600);
const engine = (arg("engine") ?? "sqlite") as "sqlite" | "pg";
const workers = Number(arg("workers") ?? 8);
if (!Number.isFinite(seconds) || seconds < 5) throw new Error("--duration must be at least 5 seconds");
if (engine !== "sqlite" && engine !== "pg") throw new Error("--engine must be sqlite or pg");

// Warm-up: caches, JIT, connection pools and the prepared statements settle before the baseline.
const warmupMs = Math.min(Math.max(seconds * 200, 5_000), 60_000);
const MAX_GROWTH = 1.3;
const SLACK_KIB = 8 * 1024; // allocator noise on a small heap: 30% of 60 MB is less than one arena

const ROOT = `soak-root-${randomBytes(16).toString("hex")}`;
const dataDir = mkdtempSync(join(tmpdir(), "gh-soak-"));
let cluster: PgCluster | undefined;
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: async (req) => {
    const url = new URL(req.url);
    return Response.json({ ok: true, path: url.pathname, auth: req.headers.has("authorization") });
  },
});

if (engine === "pg") cluster = await startPostgres();
const server = await startServerProcess({
  dataDir,
  databaseUrl: cluster ? await cloneDatabase(cluster.url("postgres")) : undefined,
  masterKey: randomBytes(32).toString("hex"),
  rootToken: ROOT,
  env: { GATEHOUSE_LOG_LEVEL: "error" },
});

type Kind = "read" | "write" | "lease" | "revoke" | "proxy";
const counts: Record<Kind, number> = { read: 0, write: 0, lease: 0, revoke: 0, proxy: 0 };
const latencies: number[] = [];
const errors: string[] = [];
const api = (method: string, path: string, body?: unknown) =>
  callJson(server.url, ROOT, method, path, body, 30_000);

async function must(kind: Kind | "setup", method: string, path: string, body: unknown, ok: number[]) {
  const t0 = performance.now();
  const r = await api(method, path, body);
  const ms = performance.now() - t0;
  if (!ok.includes(r.status)) {
    errors.push(`${kind} ${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    return undefined;
  }
  if (kind !== "setup") {
    counts[kind]++;
    if (latencies.length < 200_000) latencies.push(ms);
  }
  return r.body;
}

try {
  // A bounded working set: writes overwrite (new versions), leases are revoked right after.
  const PATHS = Array.from({ length: 50 }, (_, i) => `soak/app${i % 5}/key${i}`);
  for (const p of PATHS) await must("setup", "POST", `/v1/secrets/${p}`, { value: `v-${p}` }, [201]);
  await must(
    "setup",
    "POST",
    "/v1/secrets/soak/upstream",
    { value: randomBytes(24).toString("hex"), metadata: { allowed_domains: "127.0.0.1" } },
    [201],
  );
  if (errors.length) throw new Error(errors.join("\n"));

  const started = performance.now();
  const deadline = started + seconds * 1000;
  let baseline = 0;
  let peak = 0;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    const rss = server.rssKib();
    peak = Math.max(peak, rss);
    if (performance.now() - started >= warmupMs) {
      if (!baseline) baseline = rss;
      samples.push(rss);
    }
  }, 1000);

  const loop = async (w: number) => {
    for (let i = 0; performance.now() < deadline && errors.length < 20; i++) {
      const path = PATHS[(w * 7 + i) % PATHS.length] as string;
      switch (i % 10) {
        case 0:
        case 1:
          await must("write", "POST", `/v1/secrets/${path}`, { value: `v-${w}-${i}` }, [200, 201]);
          break;
        case 2: {
          const lease = await must("lease", "POST", `/v1/lease/${path}`, { ttl: 60 }, [200, 201]);
          const id = (lease?.lease as { id?: unknown } | undefined)?.id;
          if (typeof id === "string") await must("revoke", "DELETE", `/v1/lease/${id}`, undefined, [200]);
          break;
        }
        case 3:
        case 4:
          await must(
            "proxy",
            "POST",
            "/v1/proxy",
            {
              method: "GET",
              url: `http://127.0.0.1:${upstream.port}/items/${i % 100}`,
              inject: { Authorization: "soak/upstream" },
            },
            [200],
          );
          break;
        default:
          await must("read", "GET", `/v1/secrets/${path}/value`, undefined, [200]);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  clearInterval(sampler);
  if (server.proc.exitCode !== null) errors.push(`the server exited (${server.proc.exitCode})`);

  // The end of the run: the median of the last few samples, so one GC pause does not decide it.
  const tail = samples.slice(-5).sort((a, b) => a - b);
  const end = tail[Math.floor(tail.length / 2)] ?? server.rssKib();
  const bound = baseline * MAX_GROWTH + SLACK_KIB;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(1);
  const verify = await api("POST", "/v1/audit/verify");
  if (verify.status !== 200 || verify.body.ok !== true)
    errors.push(`audit chain: ${verify.status} ${verify.text}`);

  console.log(
    [
      `soak (${engine}, ${workers} workers, ${Math.round(elapsed)} s, warm-up ${Math.round(warmupMs / 1000)} s):`,
      `  requests ${total} (${Math.round(total / elapsed)}/s): ${Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
      `  latency ms p50 ${pct(0.5)} p99 ${pct(0.99)}`,
      `  rss KiB after warm-up ${baseline}, end ${end}, peak ${peak}, bound ${Math.round(bound)}`,
      `  audit chain ${verify.body.ok === true ? `verified (${verify.body.checked} entries)` : "NOT verified"}`,
      `  errors ${errors.length}`,
    ].join("\n"),
  );
  for (const e of errors.slice(0, 20)) console.error(`  ${e}`);
  if (!baseline) errors.push("no memory sample after the warm-up");
  if (end > bound) errors.push(`memory grew: ${baseline} KiB after warm-up, ${end} KiB at the end`);
  for (const k of Object.keys(counts) as Kind[])
    if (counts[k] === 0) errors.push(`no ${k} request completed`);
  if (errors.length) {
    console.error(`soak: FAILED (${errors.length} problems)`);
    process.exitCode = 1;
  } else console.log("soak: ok");
} finally {
  await server.stop();
  upstream.stop(true);
  cluster?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
