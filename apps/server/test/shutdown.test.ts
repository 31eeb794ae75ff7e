import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyChain } from "../src/audit/writer";
import { openStore } from "../src/db/store";
import { loadKeys } from "../src/keys";
import { CANARY } from "./harness/app";

// SIGTERM to the real server process (`bun src/main.ts`) while an approval long poll and an SSE stream
// are open and audited requests are in flight: the clients get a clean end, the process exits 0, and
// every request that was answered has its audit entry, in an intact chain.

const ROOT = "root-token-for-shutdown-tests-0123456789abcdef";
const MAIN = join(import.meta.dir, "../src/main.ts");
type Body = Record<string, unknown>;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), "gh-shutdown-"));
  dirs.push(dir);
  const key = randomBytes(32).toString("hex");
  const proc = Bun.spawn([process.execPath, MAIN], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      GATEHOUSE_ENV: "development",
      GATEHOUSE_HOST: "127.0.0.1",
      GATEHOUSE_PORT: "0",
      GATEHOUSE_DATA_DIR: dir,
      GATEHOUSE_CONFIG_DIR: join(dir, "config"),
      GATEHOUSE_MASTER_KEY: key,
      GATEHOUSE_ROOT_TOKEN: ROOT,
      GATEHOUSE_ARGON2_MEMORY_KIB: "1024",
      GATEHOUSE_ARGON2_TIME_COST: "1",
      GATEHOUSE_LOG_LEVEL: "info",
      GATEHOUSE_WEB_DIST: join(dir, "no-web"),
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const stderr = new Response(proc.stderr).text();
  let resolveUrl: (u: string) => void = () => {};
  const urlP = new Promise<string>((r) => {
    resolveUrl = r;
  });
  const stdout = (async () => {
    let buf = "";
    for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
      buf += new TextDecoder().decode(chunk);
      let i = buf.indexOf("\n");
      while (i >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        try {
          const j = JSON.parse(line) as Body;
          if (j.msg === "listening") resolveUrl(String(j.url));
        } catch {}
        i = buf.indexOf("\n");
      }
    }
  })();
  const url = await Promise.race([
    urlP,
    proc.exited.then(async (c) => {
      throw new Error(`server exited ${c}: ${await stderr}`);
    }),
    Bun.sleep(20_000).then(() => {
      throw new Error("server did not start");
    }),
  ]);
  return { proc, url, dir, key, lines, stdout, stderr };
}

async function api(url: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Body, headers: res.headers };
}

describe("graceful shutdown of the real process", () => {
  test("SIGTERM during a long poll and an SSE stream: clean close, exit 0, no audit entry lost", async () => {
    const s = await startServer();
    const { url } = s;
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    expect(
      (
        await api(url, "POST", "/v1/policy", ROOT, {
          name: "gated",
          rules: [{ paths: ["gated/**"], capabilities: ["read"], approval: { required: true } }],
        })
      ).status,
    ).toBe(201);
    for (const p of ["gated/db", "open/api"])
      expect((await api(url, "POST", `/v1/secrets/${p}`, ROOT, { value: CANARY })).status).toBe(201);
    const role = await api(url, "POST", "/v1/auth/approle", ROOT, {
      display_name: "agent",
      policies: ["gated"],
    });
    const login = await fetch(`${url}/v1/auth/approle/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role_id: role.body.role_id, secret_id: role.body.secret_id }),
    });
    const agent = ((await login.json()) as Body).token as string;
    const pending = await api(url, "GET", "/v1/secrets/gated/db/value", agent);
    expect(pending.status).toBe(202);
    const requestId = pending.body.request_id as string;

    // The SSE stream: read frames until it ends.
    const sse = await fetch(`${url}/v1/events`, { headers: { authorization: `Bearer ${ROOT}` } });
    expect(sse.status).toBe(200);
    const frames: string[] = [];
    let sawReady: () => void = () => {};
    const ready = new Promise<void>((r) => {
      sawReady = r;
    });
    const sseDone = (async () => {
      let buf = "";
      for await (const chunk of sse.body as ReadableStream<Uint8Array>) {
        buf += new TextDecoder().decode(chunk);
        let i = buf.indexOf("\n\n");
        while (i >= 0) {
          frames.push(buf.slice(0, i));
          if (buf.slice(0, i).includes("event: ready")) sawReady();
          buf = buf.slice(i + 2);
          i = buf.indexOf("\n\n");
        }
      }
      return "closed cleanly";
    })();
    await ready;

    // The long poll (up to 60 s) and a burst of audited reads in flight.
    const started = Date.now();
    const poll = api(url, "GET", `/v1/requests/${requestId}?wait=60`, agent);
    await Bun.sleep(200);
    const burst = Array.from({ length: 60 }, async (_, i) => {
      await Bun.sleep(i * 3);
      try {
        const r = await fetch(`${url}/v1/secrets/open/api/value`, {
          headers: {
            authorization: `Bearer ${ROOT}`,
            "x-request-id": `burst-request-${String(i).padStart(4, "0")}`,
          },
        });
        await r.text();
        return { id: `burst-request-${String(i).padStart(4, "0")}`, status: r.status };
      } catch {
        return { id: `burst-request-${String(i).padStart(4, "0")}`, status: 0 };
      }
    });
    await Bun.sleep(60);
    s.proc.kill("SIGTERM");

    const polled = await poll;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(polled.status).toBe(200);
    expect(polled.body).toMatchObject({ request_id: requestId, status: "pending" });
    expect(await sseDone).toBe("closed cleanly");
    expect(frames.at(-1)).toBe('event: end\ndata: {"reason":"shutdown"}');
    const results = await Promise.all(burst);
    const answered = results.filter((r) => r.status === 200);
    expect(answered.length).toBeGreaterThan(0);
    expect(await s.proc.exited).toBe(0);
    await s.stdout;
    expect(s.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);

    // Every answered read is in the audit log; the chain verifies.
    const store = await openStore({ sqlitePath: join(s.dir, "gatehouse.db") });
    try {
      const keys = await loadKeys(store, { masterKeyHex: s.key });
      const rows = await store.db.select().from(store.t.auditLog);
      const audited = new Set(rows.filter((r) => r.action === "secret.reveal_value").map((r) => r.requestId));
      for (const r of answered) expect(audited.has(r.id)).toBe(true);
      const chain = await verifyChain(store, keys.auditKey);
      expect(chain.ok).toBe(true);
      expect(rows.some((r) => r.action === "approval.request" && r.path === "gated/db")).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});
