import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import type { Actor } from "../src/auth/actor";
import { mcpServices, serveMcp } from "../src/modules/mcp/server";
import { createTestApp, type TestApp } from "./harness/app";

// @modelcontextprotocol/conformance's server scenarios that apply to a tools-only server. Its client
// sends no Authorization header, so it runs against a mount built here with a fixed test identity: the
// same serveMcp as /v1/mcp, without the authentication in front (there is no such switch in the app).
// The CLI is run with Bun: its dist needs fs.globSync, which Node 20 lacks.

const CLI = join(import.meta.dir, "../node_modules/@modelcontextprotocol/conformance/dist/index.js");
const SCENARIOS = ["server-initialize", "ping", "tools-list", "tools-call-error", "dns-rebinding-protection"];

const fixedActor: Actor = {
  identity: "approle:conformance",
  kind: "approle",
  subjectId: "conformance",
  displayName: "MCP conformance suite",
  policies: [],
  ip: "127.0.0.1",
  requestId: "conformance",
  authMethod: "approle",
};

describe("MCP conformance (server scenarios)", () => {
  let t: TestApp;
  let server: { stop(): unknown; server: { port?: number } | null };
  let out: string;

  beforeAll(async () => {
    t = await createTestApp("sqlite");
    const services = mcpServices(t.ctx);
    server = new Elysia()
      .post("/mcp", ({ request }) => serveMcp(services, { ...fixedActor }, request), { parse: "none" })
      .get("/mcp", () => new Response(null, { status: 405, headers: { allow: "POST" } }))
      .listen({ hostname: "127.0.0.1", port: 0 });
    out = mkdtempSync(join(tmpdir(), "gh-conformance-"));
  });
  afterAll(async () => {
    await server?.stop();
    await t?.close();
    rmSync(out, { recursive: true, force: true });
  });

  for (const scenario of SCENARIOS) {
    test(scenario, async () => {
      // dns-rebinding-protection needs a localhost URL; the others take the literal address.
      const host = scenario === "dns-rebinding-protection" ? "localhost" : "127.0.0.1";
      const proc = Bun.spawn(
        [
          process.execPath,
          CLI,
          "server",
          "--url",
          `http://${host}:${server.server?.port}/mcp`,
          "--scenario",
          scenario,
        ],
        { cwd: out, stdout: "pipe", stderr: "pipe" },
      );
      const [code, stdout, stderr] = await Promise.all([
        proc.exited,
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
      ]);
      expect(code, `${stdout}\n${stderr}`).toBe(0);
      expect(stdout).toMatch(/Passed: (\d+)\/\1, 0 failed/);
    });
  }
});
