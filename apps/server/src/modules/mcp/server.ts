import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { AuditWriter } from "../../audit/writer";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { createPatternStore } from "../proxy/patterns";
import { createProxyService } from "../proxy/service";
import {
  deliverRelayedAnswers,
  type McpToolSource,
  mountSourceCalls,
  sourceToolCalled,
  sourceTools,
} from "./sources";
import { registerTools, type ToolEnv } from "./tools";

const INSTRUCTIONS = `Gatehouse is the secrets vault you use credentials through.
- Prefer gatehouse_proxy: the server injects the credential into the HTTP request and scrubs the response,
  so the value never enters your context. Use gatehouse_get or gatehouse_lease only when a tool outside
  Gatehouse needs the raw value, and never repeat a value in chat, notes, logs or commits.
- A call may need a human's approval: it waits up to a minute, then answers {status: "pending",
  request_id}; poll gatehouse_request_status instead of repeating the call.
- A denial is final for your current policies: do not retry it, tell the operator.`;

/**
 * The context MCP tools run with: the same services and state, but every audit entry they write carries
 * `via: "mcp"`. A Proxy rather than a copy, so fields replaced later (for example after a key rotation)
 * are seen.
 */
export function mcpContext(ctx: AppContext): AppContext {
  const audit: AuditWriter = {
    append: (entry, tx) => ctx.audit.append({ ...entry, metadata: { ...entry.metadata, via: "mcp" } }, tx),
    subscribe: (listener) => ctx.audit.subscribe(listener),
    get queued() {
      return ctx.audit.queued;
    },
    drain: () => ctx.audit.drain(),
  };
  return new Proxy(ctx, { get: (target, key) => (key === "audit" ? audit : Reflect.get(target, key)) });
}

/** The services MCP tools call, built once per app on the MCP-marked context (they hold no state). */
export type McpServices = Omit<ToolEnv, "actor"> & {
  /** Tools from outside the vault listed beside gatehouse_* (the gateway's upstream servers). */
  sources: readonly McpToolSource[];
};

export function mcpServices(ctx: AppContext): McpServices {
  const mctx = mcpContext(ctx);
  const patterns = createPatternStore(mctx);
  return { ctx: mctx, patterns, proxy: createProxyService(mctx, patterns), sources: [ctx.gateway.tools] };
}

/**
 * A server for one request: its tool handlers close over the caller's Actor. With tool sources, the
 * source tools this request calls (`sourceCalls`) are registered too, and tools/list answers with the
 * vault's tools plus the sources' tools this caller may see. `streaming`: the answer is an SSE stream,
 * so requests can reach the client during a call (an upstream's sampling, elicitation, ping).
 */
export function createMcpServer(
  services: McpServices,
  actor: Actor,
  opts: { streaming?: boolean; sourceCalls?: string[] } = {},
): McpServer {
  const server = new McpServer(
    { name: "gatehouse", title: "Gatehouse", version: services.ctx.config.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const env = { ...services, actor };
  registerTools(server, env);
  if (services.sources.length > 0) {
    mountSourceCalls(server, env, services.sources, opts.sourceCalls ?? [], opts.streaming ?? false);
    // Replaces McpServer's own tools/list handler (public API: the last handler set wins).
    server.server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: await listTools(services, actor),
    }));
  }
  return server;
}

const jsonRpcError = (status: number, code: number, message: string) =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json" },
  });

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Streamable HTTP servers must refuse foreign Origins (DNS rebinding: the attacker's page sends its own
 * Origin and Host). A browser may call only from the public URL, a configured CORS origin, or this
 * server's own loopback origin; clients outside browsers send no Origin.
 */
function originAllowed(ctx: AppContext, request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return true;
  if (ctx.config.publicUrl && new URL(ctx.config.publicUrl).origin === origin) return true;
  if (ctx.config.corsOrigins.includes(origin)) return true;
  const own = new URL(request.url);
  return LOOPBACK_HOST.test(own.hostname) && own.origin === origin;
}

/** A tools/call that carries a progress token: answered as an SSE stream so progress can flow. */
function wantsProgress(message: unknown): boolean {
  if (!message || typeof message !== "object") return false;
  const m = message as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } };
  return m.method === "tools/call" && m.params?._meta?.progressToken !== undefined;
}

/**
 * Serves one Streamable HTTP POST statelessly (any replica can answer the next one): a fresh server and
 * transport per request. Answers are JSON unless a tools/call asked for progress (then SSE, so the
 * approval wait can send notifications/progress).
 */
export async function serveMcp(services: McpServices, actor: Actor, request: Request): Promise<Response> {
  const { ctx } = services;
  if (!originAllowed(ctx, request))
    return jsonRpcError(403, -32000, "This Origin may not call the MCP endpoint");
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > ctx.config.maxBodySize) {
    return jsonRpcError(413, -32000, `The request body exceeds ${ctx.config.maxBodySize} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return jsonRpcError(400, -32700, "Parse error: Invalid JSON");
  }
  // The client's answers to requests relayed during a call arrive as POSTs of their own.
  if (deliverRelayedAnswers(actor, parsed)) return new Response(null, { status: 202 });
  const accept = request.headers.get("accept") ?? "";
  const acceptsSse = accept.includes("text/event-stream");
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  const sourceCalls = messages
    .map((m) => sourceToolCalled(services.sources, m))
    .filter((n): n is string => n !== undefined);
  const streaming = acceptsSse && (messages.some(wantsProgress) || sourceCalls.length > 0);
  const headers = new Headers(request.headers);
  headers.delete("content-length");
  // Gatehouse's HTTP clients (curl and friends) posted JSON without listing text/event-stream; the
  // transport insists on both, and such a client gets JSON anyway.
  if (!acceptsSse || !accept.includes("application/json")) {
    headers.set("accept", "application/json, text/event-stream");
  }
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: !streaming,
  });
  transport.onerror = (e) =>
    ctx.log.debug("mcp transport", { request_id: actor.requestId, error_message: e.message });
  const server = createMcpServer(services, actor, { streaming, sourceCalls });
  await server.connect(transport);
  // A client that hangs up ends its calls (an approval wait stops; the request stays pending).
  request.signal?.addEventListener("abort", () => void server.close(), { once: true });
  const response = await transport.handleRequest(new Request(request.url, { method: "POST", headers }), {
    parsedBody: parsed,
  });
  if (!streaming) await server.close();
  return response;
}

let toolsCache: Tool[] | undefined;

/**
 * The tool list `tools/list` answers: the vault's tools (the same for every caller; authorization
 * happens per call) and the sources' tools this caller may call.
 */
export async function listTools(services: McpServices, actor: Actor): Promise<Tool[]> {
  return [...(await vaultTools(services, actor)), ...(await sourceTools(services.sources, actor))];
}

async function vaultTools(services: McpServices, actor: Actor): Promise<Tool[]> {
  if (toolsCache) return toolsCache;
  const res = await serveMcp(
    { ...services, sources: [] },
    actor,
    new Request("http://gatehouse.local/v1/mcp", {
      method: "POST",
      headers: { accept: "application/json, text/event-stream", "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    }),
  );
  const body = (await res.json()) as { result?: { tools?: Tool[] } };
  toolsCache = body.result?.tools ?? [];
  return toolsCache;
}
