import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface WrkResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
}

// Rounded to the microsecond: 349us is 0.349 ms, not 0.34900000000000003.
const ms = (v: string, unit: string) =>
  Math.round(Number(v) * (unit === "us" ? 1 : unit === "s" ? 1e6 : 1000)) / 1000;

export interface WrkOptions {
  seconds: number;
  connections: number;
  threads?: number;
  script?: string;
  headers?: Record<string, string>;
}

const wrkArgs = (url: string, opts: WrkOptions) => {
  const args = [`-t${opts.threads ?? 1}`, `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency"];
  if (opts.script) args.push("-s", opts.script);
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push("-H", `${k}: ${v}`);
  return [...args, url];
};

function parseWrk(out: string): WrkResult {
  const pct = (p: string) => {
    const m = out.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`));
    return m ? ms(m[1] as string, m[2] as string) : Number.NaN;
  };
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? "NaN");
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? "0");
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? "0");
  const sockErr = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps: Math.round(rps), p50_ms: pct("50"), p99_ms: pct("99"), requests, errors };
}

// Every measurement, the ceiling's included, follows a short unmeasured run of the same load: the
// figures are the steady state, not the JIT tiering up during a server's first seconds.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const warmup = (url: string, opts: WrkOptions) => {
  if (WARMUP_SECONDS > 0) spawnSync("wrk", wrkArgs(url, { ...opts, seconds: WARMUP_SECONDS }));
};

/** Runs wrk against a loopback URL (bounded in time, after a warm-up) and parses its --latency report. */
export function wrk(url: string, opts: WrkOptions): WrkResult {
  warmup(url, opts);
  const r = spawnSync("wrk", wrkArgs(url, opts), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  return parseWrk(r.stdout);
}

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/**
 * An endpoint's throughput as a share of the ceiling's, measured in turn BENCH_ROUNDS times: this
 * machine's speed drifts by ±15% over a minute, so a ceiling measured once, minutes away from the
 * endpoint, made the ratio a draw. Reports the median round (by share), the median share and the
 * median ceiling.
 */
export function shareOfCeiling(ceilingUrl: string, measure: () => WrkResult) {
  const rounds: { run: WrkResult; share: number; ceiling: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ceiling = wrk(ceilingUrl, { seconds: SECONDS, connections: 32 }).rps;
    const run = measure();
    rounds.push({ run, share: run.rps / ceiling, ceiling });
  }
  rounds.sort((a, b) => a.share - b.share);
  const mid = rounds[Math.floor(rounds.length / 2)] as (typeof rounds)[number];
  return {
    ...mid.run,
    share_of_ceiling: Math.round(mid.share * 1000) / 1000,
    ceiling_rps: median(rounds.map((r) => r.ceiling)),
    rounds: rounds.length,
  };
}

/** Every wrk of `runs` at once; their reports, in order. */
const together = (runs: { url: string; opts: WrkOptions }[]) =>
  Promise.all(
    runs.map(async ({ url, opts }) => {
      const p = Bun.spawn(["wrk", ...wrkArgs(url, opts)], { stdout: "pipe", stderr: "pipe" });
      const text = await new Response(p.stdout).text();
      await p.exited;
      return text;
    }),
  );

/** Several wrk runs at once (e.g. one per replica); throughput adds up, latency is the worst. */
export async function wrkParallel(runs: { url: string; opts: WrkOptions }[]): Promise<WrkResult> {
  if (WARMUP_SECONDS > 0)
    await together(runs.map((r) => ({ ...r, opts: { ...r.opts, seconds: WARMUP_SECONDS } })));
  const outs = (await together(runs)).map(parseWrk);
  return {
    rps: outs.reduce((a, o) => a + o.rps, 0),
    p50_ms: Math.max(...outs.map((o) => o.p50_ms)),
    p99_ms: Math.max(...outs.map((o) => o.p99_ms)),
    requests: outs.reduce((a, o) => a + o.requests, 0),
    errors: outs.reduce((a, o) => a + o.errors, 0),
  };
}

/** Starts a child that prints `READY <port>` (or waits for a URL to answer) and returns it with its port. */
export async function startChild(
  cmd: string[],
  env: Record<string, string>,
  readyUrl?: (port: number) => string,
  port?: number,
) {
  const proc = Bun.spawn(cmd, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "inherit" });
  if (readyUrl && port) {
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(readyUrl(port))).ok) return { proc, port };
      } catch {}
      await Bun.sleep(100);
    }
    proc.kill();
    throw new Error(`${cmd.join(" ")} did not become ready`);
  }
  const reader = proc.stdout.getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd.join(" ")} exited before READY`);
    buf += new TextDecoder().decode(value);
    const m = buf.match(/READY (\d+)/);
    if (m) return { proc, port: Number(m[1]) };
  }
}

export const rssMb = (pid: number): number => {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : Number.NaN;
};
