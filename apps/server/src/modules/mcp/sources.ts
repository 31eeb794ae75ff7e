import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  type CallToolResult,
  ErrorCode,
  type JSONRPCMessage,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { Actor } from "../../auth/actor";
import type { Extra } from "./approval";
import { gated, guarded, type ToolEnv } from "./tools";

// Extension point: tools that live outside the vault (the gateway's upstream servers) are listed and
// called through the same `/v1/mcp` endpoint as the gatehouse_* tools. A source owns a set of names,
// lists what a caller may see, and runs calls; approval waits and error shaping are the MCP layer's.

/** A way to send requests to the calling client while one of its calls is in flight. */
export interface ClientChannel {
  /** False when the response is plain JSON (the client did not accept an SSE stream). */
  readonly available: boolean;
  /** Sends a request (sampling, elicitation, ping) to the client on the call's stream; resolves with its result. */
  request(method: string, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<unknown>;
}

export interface McpToolSource {
  /** Whether a tool name belongs to this source. */
  owns(name: string): boolean;
  /** The tools this caller may see, as `tools/list` entries. */
  list(actor: Actor): Promise<Tool[]>;
  /**
   * Runs a call. May throw ApprovalPending: the MCP layer waits for the decision as for the vault's
   * own tools and calls again once approved.
   */
  call(
    actor: Actor,
    name: string,
    args: Record<string, unknown>,
    extra: Extra,
    client: ClientChannel,
  ): Promise<CallToolResult>;
}

/** How long a relayed request may wait for the client's answer (sampling involves a model, elicitation a human). */
const RELAY_TIMEOUT_MS = 10 * 60_000;

interface Waiting {
  subjectId: string;
  resolve(result: unknown): void;
  reject(e: Error): void;
}

// Answers to relayed requests arrive as separate POSTs (the endpoint is stateless), so they are
// matched here by their id, which is random and tied to the identity the request went to.
const relayed = new Map<string, Waiting>();

type Message = Record<string, unknown>;
const isResponse = (m: unknown): m is Message =>
  !!m && typeof m === "object" && !("method" in m) && "id" in m && ("result" in m || "error" in m);

/**
 * A POST that carries only answers to requests relayed by this process: delivers them and says so
 * (the caller answers 202). Answers from another identity, or to unknown ids, are left alone.
 */
export function deliverRelayedAnswers(actor: Actor, body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0 || !messages.every(isResponse)) return false;
  let delivered = false;
  for (const m of messages) {
    const waiting = relayed.get(String(m.id));
    if (!waiting || waiting.subjectId !== actor.subjectId) continue;
    relayed.delete(String(m.id));
    delivered = true;
    if ("error" in m) {
      const err = (m.error ?? {}) as { code?: number; message?: string; data?: unknown };
      waiting.reject(new McpError(err.code ?? ErrorCode.InternalError, err.message ?? "error", err.data));
    } else waiting.resolve(m.result);
  }
  return delivered;
}

function channelFor(server: McpServer, actor: Actor, extra: Extra, streaming: boolean): ClientChannel {
  return {
    available: streaming,
    request(method, params, signal) {
      const transport = server.server.transport;
      if (!streaming || !transport) {
        return Promise.reject(
          new McpError(
            ErrorCode.MethodNotFound,
            `${method}: the calling client cannot receive requests during this call (it did not accept text/event-stream)`,
          ),
        );
      }
      const id = `gh-relay-${randomUUID()}`;
      return new Promise((resolve, reject) => {
        const done = () => {
          relayed.delete(id);
          clearTimeout(timer);
          signal.removeEventListener("abort", aborted);
        };
        const aborted = () => {
          done();
          reject(
            new McpError(ErrorCode.RequestTimeout, `${method}: the call ended before the client answered`),
          );
        };
        const timer = setTimeout(() => {
          done();
          reject(new McpError(ErrorCode.RequestTimeout, `${method}: the client did not answer in time`));
        }, RELAY_TIMEOUT_MS);
        signal.addEventListener("abort", aborted, { once: true });
        relayed.set(id, {
          subjectId: actor.subjectId,
          resolve: (r) => {
            done();
            resolve(r);
          },
          reject: (e) => {
            done();
            reject(e);
          },
        });
        const message = { jsonrpc: "2.0", id, method, ...(params ? { params } : {}) } as JSONRPCMessage;
        transport.send(message, { relatedRequestId: extra.requestId }).catch((e: unknown) => {
          done();
          reject(e instanceof Error ? e : new Error(String(e)));
        });
      });
    },
  };
}

/**
 * Registers, on a per-request server, the source tools a request calls (their names are known once the
 * body is parsed). The input schema accepts any object: the upstream validates its own arguments,
 * and `tools/list` shows the upstream's real schema (see createMcpServer).
 */
export function mountSourceCalls(
  server: McpServer,
  env: ToolEnv,
  sources: readonly McpToolSource[],
  names: readonly string[],
  streaming: boolean,
): void {
  const { actor } = env;
  for (const name of new Set(names)) {
    const source = sources.find((s) => s.owns(name));
    if (!source) continue;
    server.registerTool(
      name,
      { inputSchema: z.looseObject({}) },
      (args: Record<string, unknown>, extra: Extra) =>
        guarded(env, name, () =>
          gated(env, extra, () =>
            source.call(actor, name, args, extra, channelFor(server, actor, extra, streaming)),
          ),
        ),
    );
  }
}

/** The tools every source lists for this caller (GET /v1/mcp/tools). */
export async function sourceTools(sources: readonly McpToolSource[], actor: Actor): Promise<Tool[]> {
  return (await Promise.all(sources.map((s) => s.list(actor)))).flat();
}

/** The source tool a tools/call message calls, if any (answered as an SSE stream when the client takes one). */
export function sourceToolCalled(sources: readonly McpToolSource[], message: unknown): string | undefined {
  if (!message || typeof message !== "object") return undefined;
  const m = message as { method?: unknown; params?: { name?: unknown } };
  const name = m.params?.name;
  return m.method === "tools/call" && typeof name === "string" && sources.some((s) => s.owns(name))
    ? name
    : undefined;
}
