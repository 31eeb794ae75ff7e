import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { agentToken, createPolicy } from "../../../apps/server/test/harness/agents";
import { cleanupHomes, cli, type LiveServer, liveServer, tempHome } from "./harness";

// `gatehouse run --secret NAME=path -- cmd`: the real binary, a real server, a real child process that
// prints the injected secret in every way it can.

const ROOT = "root-token-for-cli-run-tests-0123456789abcdef";
const SECRET = "run-secret-9f8e7d6c5b4a/with+plus and=equals";
const SECOND = "second-secret-0123456789";

let s: LiveServer;
let home: string;
const run = (args: string[], env: Record<string, string> = {}) =>
  cli(["run", ...args], { home, env: { GATEHOUSE_URL: s.url, GATEHOUSE_TOKEN: ROOT, ...env } });

/** A child Bun script (so the test controls exactly how and when it writes). */
const child = (code: string) => ["--", process.execPath, "-e", code];

beforeAll(async () => {
  s = await liveServer("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
  home = tempHome();
  for (const [p, v] of [
    ["run/db", SECRET],
    ["run/api", SECOND],
    ["run/gated", SECOND],
    ["run/short", "abc"],
  ] as const)
    expect((await s.t.req("POST", `/v1/secrets/${p}`, { token: ROOT, body: { value: v } })).status).toBe(201);
});

afterAll(async () => {
  await s?.close();
  cleanupHomes();
});

describe("gatehouse run", () => {
  test("injects the secrets as environment variables", async () => {
    const r = await run([
      "--secret",
      "DB_PASSWORD=run/db",
      "-s",
      "API_KEY=run/api",
      ...child(
        `console.log(process.env.DB_PASSWORD === ${JSON.stringify(SECRET)}, process.env.API_KEY === ${JSON.stringify(SECOND)}, process.env.GATEHOUSE_TOKEN ?? "no-token", process.env.GATEHOUSE_URL ? "url" : "no-url")`,
      ),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("true true no-token url\n");
  });

  test("masks the values the child prints: raw, base64, base64url, URL-encoded, on stdout and stderr", async () => {
    const r = await run([
      "-s",
      "DB_PASSWORD=run/db",
      "-s",
      "API_KEY=run/api",
      ...child(`
        const v = process.env.DB_PASSWORD;
        console.log("raw:", v);
        console.log("b64:", Buffer.from(v).toString("base64"));
        console.log("b64url:", Buffer.from(v).toString("base64url"));
        console.log("url:", encodeURIComponent(v));
        console.log("json:", JSON.stringify({ key: process.env.API_KEY }));
        console.error("err:", v, "and", Buffer.from(process.env.API_KEY).toString("base64"));
      `),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const both = r.stdout + r.stderr;
    for (const v of [SECRET, SECOND]) {
      expect(both).not.toContain(v);
      expect(both).not.toContain(Buffer.from(v).toString("base64"));
      expect(both).not.toContain(Buffer.from(v).toString("base64").replace(/=+$/, ""));
      expect(both).not.toContain(Buffer.from(v).toString("base64url"));
      expect(both).not.toContain(encodeURIComponent(v));
    }
    expect(r.stdout).toBe(
      'raw: [REDACTED]\nb64: [REDACTED]\nb64url: [REDACTED]\nurl: [REDACTED]\njson: {"key":"[REDACTED]"}\n',
    );
    expect(r.stderr).toContain("err: [REDACTED] and [REDACTED]");
  });

  test("a value split across writes (with pauses between them) is still masked", async () => {
    const r = await run([
      "-s",
      "DB_PASSWORD=run/db",
      ...child(`
        const v = process.env.DB_PASSWORD;
        const b = Buffer.from(v).toString("base64");
        const write = (s) => new Promise((r) => process.stdout.write(s, r));
        await write("start " + v.slice(0, 5));
        await Bun.sleep(150);
        await write(v.slice(5, 17));
        await Bun.sleep(150);
        await write(v.slice(17) + " middle " + b.slice(0, 9));
        await Bun.sleep(150);
        for (const ch of b.slice(9)) await write(ch);
        await write(" end\\n");
      `),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("start [REDACTED] middle [REDACTED] end\n");
  });

  test("the child's exit code and signals come back; --no-mask passes output through", async () => {
    const code = await run(["-s", "X=run/api", ...child("process.exit(7)")]);
    expect(code.code).toBe(7);
    const killed = await run([
      "-s",
      "X=run/api",
      ...child("process.kill(process.pid, 'SIGTERM'); await Bun.sleep(5000)"),
    ]);
    expect(killed.code).toBe(128 + 15);
    const raw = await run(["-s", "X=run/api", "--no-mask", ...child("console.log(process.env.X)")]);
    expect(raw.stdout).toBe(`${SECOND}\n`);
    const missing = await run(["-s", "X=run/api", "--", "/nonexistent/command"]);
    expect(missing.code).toBe(127);
  });

  test("usage: NAME=path pairs, a command after --; short values are refused unless --allow-short", async () => {
    expect((await run(["-s", "X=run/api"])).code).toBe(2);
    expect((await run(["-s", "1X=run/api", "--", "true"])).code).toBe(2);
    expect((await run(["-s", "X", "--", "true"])).code).toBe(2);
    expect((await run(["--", "true"])).code).toBe(2);
    expect((await run(["-s", "X=run/api", "true"])).code).toBe(2);
    const short = await run(["-s", "X=run/short", "--", "true"]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("cannot be masked");
    expect((await run(["-s", "X=run/short", "--allow-short", "--", "true"])).code).toBe(0);
    expect((await run(["-s", "X=run/nope", "--", "true"])).code).toBe(1);
  });

  test("a secret that needs approval: exit 4 before the command starts", async () => {
    await createPolicy(s.t, ROOT, "run-gated", [
      { paths: ["run/gated"], capabilities: ["read"], approval: { required: true } },
    ]);
    const agent = await agentToken(s.t, ["run-gated"]);
    const r = await run(["-s", "X=run/gated", ...child("console.log('started')")], {
      GATEHOUSE_TOKEN: agent.token,
    });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("approval required");
  });
});
