import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { createApp } from "../../../apps/server/src/app";
import { createPolicy, userToken } from "../../../apps/server/test/harness/agents";
import { CANARY, createTestApp, type TestApp } from "../../../apps/server/test/harness/app";
import { Session } from "../src/session";

// The real `gatehouse mcp` process, driven over stdio by the SDK's stdio client, against a real
// server listening on loopback (the server test harness, SQLite).

const ROOT = "root-token-for-cli-bridge-tests-0123456789ab";
const MAIN = join(import.meta.dir, "../src/main.ts");
type Body = Record<string, unknown>;

const textOf = (r: CallToolResult) => (r.content[0] as { type: "text"; text: string }).text;
const jsonOf = (r: CallToolResult) => JSON.parse(textOf(r)) as Body;

/** A clean environment: nothing of the test runner's own GATEHOUSE_* variables leaks into the child. */
const baseEnv = (): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
});

describe("gatehouse mcp (stdio bridge)", () => {
  let t: TestApp;
  let clock = Date.now();
  let server: ReturnType<ReturnType<typeof createApp>["listen"]>;
  let url: string;
  let role: { role_id: string; secret_id: string };
  const clients: Client[] = [];

  async function approle(policies: string[], ttl = 3600) {
    const r = await t.req<{ role_id: string; secret_id: string }>("POST", "/v1/auth/approle", {
      token: ROOT,
      body: {
        display_name: `bridge-${Math.random().toString(36).slice(2, 8)}`,
        policies,
        token_ttl_seconds: ttl,
      },
    });
    expect(r.status, r.text).toBeLessThan(300);
    return r.body;
  }

  /** Spawns `bun src/main.ts mcp …` and connects the SDK's stdio client to it. */
  async function bridge(args: string[], env: Record<string, string> = {}) {
    const stderr: string[] = [];
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, "mcp", ...args],
      env: { ...baseEnv(), ...env },
      stderr: "pipe",
    });
    transport.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
    const client = new Client({ name: "bridge-test", version: "1.0.0" });
    await client.connect(transport);
    clients.push(client);
    return { client, stderr };
  }

  /** Runs the command to completion (it exits on its own when it cannot start). */
  async function runToExit(args: string[], env: Record<string, string> = {}) {
    const proc = Bun.spawn([process.execPath, MAIN, ...args], {
      env: { ...baseEnv(), ...env },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill(), 20_000);
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    clearTimeout(timer);
    return { code, stderr };
  }

  const call = (c: Client, name: string, args: Body = {}) =>
    c.callTool({ name, arguments: args }) as Promise<CallToolResult>;

  beforeAll(async () => {
    t = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT }, { now: () => clock });
    await createPolicy(t, ROOT, "bridge-agent", [
      { paths: ["team/**"], capabilities: ["read", "lease", "list"] },
      { paths: ["gated/**"], capabilities: ["read"], approval: { required: true } },
    ]);
    for (const p of ["team/api", "ops/root-only", "gated/db"]) {
      const r = await t.req("POST", `/v1/secrets/${p}`, { token: ROOT, body: { value: CANARY } });
      expect(r.status).toBe(201);
    }
    role = await approle(["bridge-agent"]);
    server = createApp(t.ctx).listen({ hostname: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${server.server?.port}`;
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await server?.stop();
    await t?.close();
  });

  test("lists and calls the server's tools; identity and policies come from the server, not the environment", async () => {
    const { client, stderr } = await bridge(
      ["--url", url, "--role-id", role.role_id, "--secret-id", role.secret_id],
      {
        GATEHOUSE_POLICIES: "admin",
        GATEHOUSE_IDENTITY: "root",
      },
    );
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toContain("gatehouse_get");
    expect(tools.length).toBe(11);
    const putTool = tools.find((x) => x.name === "gatehouse_put");
    expect(putTool?.inputSchema.required).toEqual(["path", "value"]);
    const status = jsonOf(await call(client, "gatehouse_status"));
    expect(status).toMatchObject({ identity: `approle:${role.role_id}`, policies: ["bridge-agent"] });
    expect(textOf(await call(client, "gatehouse_get", { path: "team/api" }))).toBe(CANARY);
    // admin (from GATEHOUSE_POLICIES) would read this; the AppRole's policy does not.
    const denied = await call(client, "gatehouse_get", { path: "ops/root-only" });
    expect(denied.isError).toBe(true);
    expect(jsonOf(denied).code).toBe("forbidden");
    expect(stderr.join("")).toContain("GATEHOUSE_POLICIES is ignored");
    expect(stderr.join("")).not.toContain(role.secret_id);
  });

  test("an approval wait streams progress through the bridge, then the approved value arrives", async () => {
    const approver = await userToken(t, "approver");
    const { client } = await bridge(["--url", url, "--role-id", role.role_id, "--secret-id", role.secret_id]);
    const progress: Progress[] = [];
    const pending = client.callTool({ name: "gatehouse_get", arguments: { path: "gated/db" } }, undefined, {
      onprogress: (p) => progress.push(p),
    }) as Promise<CallToolResult>;
    let id: string | undefined;
    for (let i = 0; i < 300 && !id; i++) {
      const r = await t.req<{ requests: Body[] }>("GET", "/v1/requests?status=pending", {
        token: approver.token,
      });
      id = r.body.requests.find((x) => x.path === "gated/db")?.request_id as string | undefined;
      if (!id) await Bun.sleep(20);
    }
    expect(id).toBeDefined();
    for (let i = 0; i < 200 && progress.length === 0; i++) await Bun.sleep(10);
    expect(progress.length).toBeGreaterThan(0);
    const ok = await t.req("POST", `/v1/requests/${id}/approve`, { token: approver.token, body: {} });
    expect(ok.status).toBe(200);
    expect(textOf(await pending)).toBe(CANARY);
  });

  test("credentials from GATEHOUSE_URL, GATEHOUSE_ROLE_ID and GATEHOUSE_SECRET_ID", async () => {
    const { client } = await bridge([], {
      GATEHOUSE_URL: url,
      GATEHOUSE_ROLE_ID: role.role_id,
      GATEHOUSE_SECRET_ID: role.secret_id,
    });
    expect(jsonOf(await call(client, "gatehouse_status")).identity).toBe(`approle:${role.role_id}`);
  });

  test("a token works too (--token or GATEHOUSE_TOKEN)", async () => {
    const login = await t.req<{ token: string }>("POST", "/v1/auth/approle/login", {
      body: { role_id: role.role_id, secret_id: role.secret_id },
    });
    const { client } = await bridge(["--url", url], { GATEHOUSE_TOKEN: login.body.token });
    expect(jsonOf(await call(client, "gatehouse_status")).identity).toBe(`approle:${role.role_id}`);
  });

  test("an expired token is renewed by logging in again", async () => {
    const short = await approle(["bridge-agent"], 60);
    const { client } = await bridge([
      "--url",
      url,
      "--role-id",
      short.role_id,
      "--secret-id",
      short.secret_id,
    ]);
    expect(textOf(await call(client, "gatehouse_get", { path: "team/api" }))).toBe(CANARY);
    clock += 120_000; // the server now sees the token as expired: 401, then a fresh login
    expect(textOf(await call(client, "gatehouse_get", { path: "team/api" }))).toBe(CANARY);
    const logins = (await t.ctx.store.db.select().from(t.ctx.store.t.auditLog)).filter(
      (r) => r.action === "auth.approle.login" && r.identity === `approle:${short.role_id}`,
    );
    expect(logins.length).toBe(2);
  });

  test("the session renews an AppRole token before it expires", async () => {
    const short = await approle(["bridge-agent"], 100);
    let now = Date.now();
    let logins = 0;
    const session = new Session({
      url,
      credentials: { kind: "approle", roleId: short.role_id, secretId: short.secret_id },
      now: () => now,
      fetch: (u, init) => {
        if (String(u).endsWith("/v1/auth/approle/login")) logins++;
        return fetch(u, init);
      },
    });
    expect((await session.start()).identity).toBe(`approle:${short.role_id}`);
    await session.bearer();
    expect(logins).toBe(1);
    now += 85_000; // 15 s left of 100: inside the renewal margin (20 s)
    await session.bearer();
    expect(logins).toBe(2);
  });

  test("a bad secret_id exits with a clear error", async () => {
    const r = await runToExit([
      "mcp",
      "--url",
      url,
      "--role-id",
      role.role_id,
      "--secret-id",
      "wrong-secret",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("gatehouse mcp: AppRole login failed: Invalid role_id or secret_id");
    expect(r.stderr).toContain("401");
  });

  test("a suspended AppRole exits with a clear error; a suspension mid-session fails calls clearly", async () => {
    const victim = await approle(["bridge-agent"]);
    const asVictim = ["--url", url, "--role-id", victim.role_id, "--secret-id", victim.secret_id];
    const { client } = await bridge(asVictim);
    expect(textOf(await call(client, "gatehouse_get", { path: "team/api" }))).toBe(CANARY);
    const s = await t.req("PATCH", `/v1/auth/approle/${victim.role_id}/suspend`, {
      token: ROOT,
      body: { suspended: true },
    });
    expect(s.status).toBe(200);
    const after = await call(client, "gatehouse_get", { path: "team/api" });
    expect(after.isError).toBe(true);
    expect(textOf(after)).toContain("suspended");
    expect(textOf(after)).not.toContain(CANARY);
    const r = await runToExit(["mcp", ...asVictim]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("AppRole login failed: This AppRole is suspended");
  });

  test("usage errors: no server, no credentials, half an AppRole, unknown option; --help", async () => {
    const noUrl = await runToExit(["mcp", "--token", "x"]);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("no server");
    const noCreds = await runToExit(["mcp", "--url", url], { GATEHOUSE_POLICIES: "admin" });
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr).toContain("no credentials");
    const half = await runToExit(["mcp", "--url", url, "--role-id", role.role_id]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("both --role-id and --secret-id");
    const unknown = await runToExit(["mcp", "--identity", "root"]);
    expect(unknown.code).toBe(2);
    const help = await runToExit(["mcp", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stderr).toContain("--role-id");
    const unreachable = await runToExit(["mcp", "--url", "http://127.0.0.1:9", "--token", "x"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach http://127.0.0.1:9");
    const top = await runToExit(["nope"]);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("mcp");
  });
});
