// `bun run bench [--check]`: measures the ceiling, the server's endpoints and the pure-core hot paths,
// writes bench/results/latest.json and latest.md, and with --check fails when a target is missed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../apps/server/test/harness/postgres";
import { ensurePackages, ROOT, WRK } from "../scripts/lib";
import { rssMb, startChild, wrk } from "./lib";

await ensurePackages([WRK]);
const check = process.argv.includes("--check");
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const targets = JSON.parse(readFileSync(join(import.meta.dir, "targets.json"), "utf8")) as Record<
  string,
  { metric: string; op: ">=" | "<="; value: number; relative_to?: string }
>;
const results: Record<string, Record<string, number>> = {};

const ceiling = await startChild(["bun", join(import.meta.dir, "ceiling.ts")], {});
results.ceiling_json = { ...wrk(`http://127.0.0.1:${ceiling.port}/`, { seconds, connections: 32 }) };
ceiling.proc.kill();

const data = mkdtempSync(join(tmpdir(), "gh-bench-"));
const port = await freePort();
const server = await startChild(
  ["bun", join(ROOT, "apps/server/src/main.ts")],
  {
    GATEHOUSE_ENV: "development",
    GATEHOUSE_DATA_DIR: data,
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_LOG_LEVEL: "warn",
  },
  (p) => `http://127.0.0.1:${p}/health`,
  port,
);
await Bun.sleep(1000);
results.idle_rss = { rss_mb: rssMb(server.proc.pid) };
results.health = { ...wrk(`http://127.0.0.1:${port}/health`, { seconds, connections: 32 }) };
results.health_1conn = {
  ...wrk(`http://127.0.0.1:${port}/health`, { seconds: Math.min(seconds, 3), connections: 1 }),
};
server.proc.kill();
rmSync(data, { recursive: true, force: true });

// Pure-core benches print JSON lines `{name, ...numbers}`.
for (const script of ["policy.ts", "scrubber.ts", "secret-read.ts", "proxy.ts"]) {
  if (!existsSync(join(import.meta.dir, script))) continue;
  const r = spawnSync("bun", [join(import.meta.dir, script)], { encoding: "utf8" });
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const { name, ...rest } = JSON.parse(line) as { name: string } & Record<string, number>;
    results[name] = rest;
  }
}

const ceilingRps = results.ceiling_json?.rps ?? 0;
const verdicts = Object.entries(targets).map(([name, t]) => {
  const measured = results[name]?.[t.metric];
  const base = t.relative_to ? (results[t.relative_to]?.rps ?? Number.NaN) : 1;
  const goal = t.value * base;
  const ok = measured !== undefined && (t.op === ">=" ? measured >= goal : measured <= goal);
  return {
    name,
    metric: t.metric,
    measured: measured ?? null,
    target: `${t.op} ${
      t.relative_to
        ? `${t.value * 100}% of ${t.relative_to} (${Math.round(goal)})`
        : t.metric === "share_of_ceiling"
          ? `${t.value} (the ceiling and the endpoint in turn; median of ${results[name]?.rounds ?? "?"} rounds)`
          : t.value
    }`,
    ok: measured === undefined ? null : ok,
  };
});

const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], {
  cwd: ROOT,
  encoding: "utf8",
}).stdout.trim();
const machine = { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "unknown", bun: Bun.version };
const report = {
  date: new Date().toISOString(),
  commit,
  machine,
  seconds,
  ceiling_rps: ceilingRps,
  results,
  verdicts,
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/latest.json"), `${JSON.stringify(report, null, 2)}\n`);

const rows = Object.entries(results).map(
  ([name, r]) =>
    `| ${name} | ${Object.entries(r)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")} |`,
);
const vrows = verdicts.map(
  (v) =>
    `| ${v.name} | ${v.metric} | ${v.measured ?? "not measured yet"} | ${v.target} | ${v.ok === null ? "n/a" : v.ok ? "met" : "MISSED"} |`,
);
const md = [
  `# Benchmark results`,
  "",
  `Commit ${commit}, ${report.date}, ${machine.cpus} × ${machine.cpu_model}, Bun ${machine.bun}; wrk ${seconds}s runs on loopback, each after a ${process.env.BENCH_WARMUP_SECONDS ?? 2}s warm-up of the same load.`,
  "",
  "| Benchmark | Figures |",
  "|---|---|",
  ...rows,
  "",
  "| Target | Metric | Measured | Target | Verdict |",
  "|---|---|---|---|---|",
  ...vrows,
  "",
].join("\n");
writeFileSync(join(import.meta.dir, "results/latest.md"), md);
// bench/README.md is generated from the same run: how to run it, then the figures.
const intro = [
  "# Benchmarks",
  "",
  "`bun run bench` runs every benchmark on loopback with wrk (installed as root when missing) and rewrites",
  "this file, `results/latest.json` and `results/latest.md`; `bun run bench --check` exits 1 when a target of",
  "`targets.json` (PRODUCT.md §12) is missed. `BENCH_SECONDS` sets the length of each wrk run and",
  "`BENCH_WARMUP_SECONDS` (default 2) the unmeasured run of the same load before it. The two throughput",
  "targets are shares of the ceiling (a bare `Bun.serve` JSON endpoint): the ceiling and the endpoint are",
  "measured in turn `BENCH_ROUNDS` times (default 3) and the median share is checked, because this",
  "machine's speed drifts by ±15% within a minute.",
  "",
].join("\n");
writeFileSync(
  join(import.meta.dir, "README.md"),
  `${intro}\n${md.replace(/^# Benchmark results\n/, "## Latest run\n")}`,
);
console.log(md);
if (check && verdicts.some((v) => v.ok === false)) process.exit(1);
