import { expect } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  PingRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { recordHit, type TestApp } from "./app";

// Helpers for the gateway suites: the stdio fixture bundled into one file the sandbox can be given
// read-only, and an SDK client on /v1/mcp that answers sampling, elicitation and ping.

export interface StdioFixture {
  dir: string;
  script: string;
  remove(): void;
}

/** Bundles test/fixtures/mcp-stdio-server.ts (SDK included) into a world-readable directory. */
export async function bundleStdioFixture(): Promise<StdioFixture> {
  const dir = mkdtempSync(join(tmpdir(), "gh-mcp-fixture-"));
  chmodSync(dir, 0o755);
  const built = await Bun.build({
    entrypoints: [join(import.meta.dir, "../fixtures/mcp-stdio-server.ts")],
    target: "bun",
    outdir: dir,
  });
  expect(built.success).toBe(true);
  const script = join(dir, "mcp-stdio-server.js");
  chmodSync(script, 0o644);
  return { dir, script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ClientLog {
  sampling: unknown[];
  elicitations: unknown[];
  pings: number;
}

/** The SDK client over Streamable HTTP through app.handle, answering the requests an upstream relays. */
export async function gatewayClient(t: TestApp, token: string): Promise<{ client: Client; seen: ClientLog }> {
  const transport = new StreamableHTTPClientTransport(new URL("http://localhost/v1/mcp"), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: async (url, init) => {
      const res = await t.app.handle(new Request(url, init));
      recordHit(init?.method ?? "GET", new URL(String(url)).pathname, res.status);
      return res;
    },
  });
  const seen: ClientLog = { sampling: [], elicitations: [], pings: 0 };
  const client = new Client(
    { name: "gateway-test", version: "1.0.0" },
    { capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
    seen.sampling.push(req.params);
    return {
      role: "assistant",
      model: "test-model",
      content: { type: "text", text: "hello from the client" },
    };
  });
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    seen.elicitations.push(req.params);
    return { action: "accept", content: { colour: "green" } };
  });
  client.setRequestHandler(PingRequestSchema, async () => {
    seen.pings++;
    return {};
  });
  await client.connect(transport);
  return { client, seen };
}

export const textOf = (r: CallToolResult) =>
  r.content.map((c) => (c.type === "text" ? c.text : JSON.stringify(c))).join("\n");

export const errorOf = (r: CallToolResult) => {
  expect(r.isError, textOf(r)).toBe(true);
  return JSON.parse(textOf(r)) as { error: string; code: string } & Record<string, unknown>;
};

export const call = (c: Client, name: string, args: Record<string, unknown> = {}) =>
  c.callTool({ name, arguments: args }, undefined, { timeout: 60_000 }) as Promise<CallToolResult>;
