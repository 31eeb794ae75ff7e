import { GatehouseError } from "@gatehouse/core";
import { scrub } from "@gatehouse/core/scrubber";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../../auth/actor";
import type { UpstreamTool } from "../../db/schema/gateway";
import type { Logger } from "../../log";
import type { ClientChannel } from "../mcp/sources";
import { ProcessTransport } from "./process";
import { type SandboxMode, type SandboxRequest, spawnSpec } from "./sandbox";

// One upstream MCP server at run time: started on first use, restarted with backoff after a crash,
// stopped on shutdown or when its registration changes. Requests the upstream sends during a call
// (sampling, elicitation, ping) are relayed to the client whose call is in flight.

export type UpstreamState = "stopped" | "starting" | "running" | "backoff";

/** The registration with its secrets opened, produced only when the upstream starts. */
export interface Resolved {
  /** The registration's version (mcp_servers.updated_at). */
  version: number;
  stdio?: SandboxRequest;
  http?: { url: string; headers: Record<string, string> };
  /** Values that must never leave through the gateway (the injected secrets). */
  known: string[];
  /** The secret paths those values came from (audited, never the values). */
  secretRefs: string[];
}

/** A call in flight, for relaying the upstream's own requests to its client. */
export interface InFlight {
  actor: Actor;
  client: ClientChannel;
  signal: AbortSignal;
  relayed: string[];
  /** Filters what goes to the client (like a result) and what comes back (like arguments). */
  toClient(value: unknown): unknown;
  fromClient(value: unknown): unknown;
}

export interface UpstreamDeps {
  log: Logger;
  version: string;
  sandbox(): Promise<SandboxMode>;
  hidden: string[];
  backoff: { baseMs: number; maxMs: number };
  startTimeoutMs: number;
  /** Keeps the tool list (shared by replicas; tools/list answers from it without a start). */
  saveTools(tools: UpstreamTool[]): Promise<void>;
  /** Audits a start, a failed start or an exit (system events, no caller). */
  event(action: string, success: boolean, metadata: Record<string, unknown>): Promise<void>;
  /** Health for GET /metrics: up after a start or call that worked, down after a failure. */
  health(up: boolean): void;
}

async function loadSdk() {
  const [{ Client }, { StreamableHTTPClientTransport }, types] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
  return { Client, StreamableHTTPClientTransport, ...types };
}
type Sdk = Awaited<ReturnType<typeof loadSdk>>;
// The MCP SDK (with zod) is loaded on first use: idle memory.
let sdkModules: Promise<Sdk> | undefined;
export const mcpSdk = () => (sdkModules ??= loadSdk());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Upstream {
  state: UpstreamState = "stopped";
  version = -1;
  failures = 0;
  restarts = 0;
  nextStartAt = 0;
  lastError: string | null = null;
  /** Exit code of the last crash (stdio). */
  exitCode: number | null = null;
  startedAt: number | null = null;
  sandbox: SandboxMode | null = null;
  tools: UpstreamTool[] | null = null;
  serverInfo: { name: string; version: string } | null = null;
  known: string[] = [];
  readonly inflight = new Set<InFlight>();
  private client: Client | null = null;
  private transport: ProcessTransport | StreamableHTTPClientTransport | null = null;
  private starting: Promise<void> | null = null;
  private stopping = false;

  constructor(
    readonly name: string,
    private readonly deps: UpstreamDeps,
  ) {}

  get pid(): number | undefined {
    return this.transport instanceof ProcessTransport ? this.transport.pid : undefined;
  }

  /** A message safe to show: scrubbed of the injected values and anything credential-shaped. */
  private safe(text: string): string {
    return scrub(text, this.known).scrubbed.slice(0, 500);
  }

  private backoffMs(): number {
    const { baseMs, maxMs } = this.deps.backoff;
    return Math.min(baseMs * 2 ** Math.max(0, this.failures - 1), maxMs);
  }

  /** The running client for registration `version`; starts (or restarts) it, waiting out a backoff until `deadline`. */
  async ensure(version: number, resolve: () => Promise<Resolved>, deadline: number): Promise<Client> {
    for (;;) {
      if (this.starting) {
        await this.starting;
        continue;
      }
      if (this.state === "running" && this.client) {
        if (this.version === version) return this.client;
        // The registration changed (here or on another replica): start over with the new one.
        await this.stop();
        continue;
      }
      const wait = this.nextStartAt - Date.now();
      if (wait > 0) {
        if (Date.now() + wait > deadline) {
          throw new GatehouseError(
            "unavailable",
            `MCP server "${this.name}" is restarting after a failure; retry in ${Math.ceil(wait / 1000)} s${this.lastError ? ` (${this.lastError})` : ""}`,
            { retry_after: Math.ceil(wait / 1000) },
          );
        }
        await sleep(wait);
      }
      this.starting = this.start(resolve).finally(() => {
        this.starting = null;
      });
      await this.starting;
    }
  }

  private async start(resolve: () => Promise<Resolved>): Promise<void> {
    this.state = "starting";
    this.stopping = false;
    let transport: ProcessTransport | StreamableHTTPClientTransport | null = null;
    let resolved: Resolved | null = null;
    try {
      const sdk = await mcpSdk();
      resolved = await resolve();
      this.known = resolved.known;
      if (resolved.stdio) {
        this.sandbox = await this.deps.sandbox();
        transport = new ProcessTransport(spawnSpec(this.sandbox, resolved.stdio, this.deps.hidden));
      } else if (resolved.http) {
        this.sandbox = null;
        transport = new sdk.StreamableHTTPClientTransport(new URL(resolved.http.url), {
          requestInit: { headers: resolved.http.headers },
        });
      } else throw new Error("no transport");
      const client = new sdk.Client(
        { name: "gatehouse-gateway", version: this.deps.version },
        { capabilities: { sampling: {}, elicitation: {} } },
      );
      this.relayHandlers(client, sdk);
      const t = transport;
      client.onclose = () => this.closed(client, t);
      await client.connect(transport, { timeout: this.deps.startTimeoutMs });
      const tools = await this.listAll(client);
      // Only now is it ours: an exit before this point is a failed start, not a crash.
      this.transport = transport;
      this.client = client;
      this.serverInfo = client.getServerVersion() ?? null;
      this.tools = tools;
      this.version = resolved.version;
      this.state = "running";
      this.startedAt = Date.now();
      this.lastError = null;
      this.deps.health(true);
      await this.deps.saveTools(tools);
      await this.deps.event("mcp.upstream.start", true, {
        server: this.name,
        sandbox: this.sandbox,
        pid: this.pid ?? null,
        tools: tools.length,
        secret_refs: resolved.secretRefs,
      });
    } catch (e) {
      const stderr =
        transport instanceof ProcessTransport
          ? transport.stderr.trim().split("\n").slice(-3).join(" | ")
          : "";
      const message = this.safe(
        `${e instanceof Error ? e.message : String(e)}${stderr ? ` (stderr: ${stderr})` : ""}`,
      );
      this.client = null;
      this.transport = null;
      this.stopping = true;
      await transport?.close().catch(() => {});
      this.failures++;
      this.nextStartAt = Date.now() + this.backoffMs();
      this.state = "backoff";
      this.lastError = message;
      this.deps.health(false);
      this.deps.log.warn("mcp upstream failed to start", { server: this.name, error_message: message });
      await this.deps
        .event("mcp.upstream.start", false, { server: this.name, error: message })
        .catch(() => {});
      throw new GatehouseError("upstream_failed", `MCP server "${this.name}" could not start: ${message}`);
    }
  }

  private async listAll(client: Client): Promise<UpstreamTool[]> {
    const tools: UpstreamTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await client.listTools(cursor ? { cursor } : undefined, {
        timeout: this.deps.startTimeoutMs,
      });
      for (const t of r.tools) {
        tools.push({
          name: t.name,
          ...(t.title ? { title: t.title } : {}),
          ...(t.description ? { description: t.description } : {}),
          inputSchema: t.inputSchema as Record<string, unknown>,
          ...(t.outputSchema ? { outputSchema: t.outputSchema as Record<string, unknown> } : {}),
          ...(t.annotations ? { annotations: t.annotations as Record<string, unknown> } : {}),
        });
      }
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  private closed(client: Client, transport: ProcessTransport | StreamableHTTPClientTransport) {
    if (this.client !== client) return;
    this.client = null;
    this.transport = null;
    if (this.stopping) {
      this.state = "stopped";
      return;
    }
    // An exit nobody asked for: a crash. The next call restarts it after the backoff.
    const code = transport instanceof ProcessTransport ? transport.exitCode : null;
    this.exitCode = code;
    const stderr =
      transport instanceof ProcessTransport ? transport.stderr.trim().split("\n").slice(-3).join(" | ") : "";
    this.failures++;
    this.restarts++;
    this.nextStartAt = Date.now() + this.backoffMs();
    this.state = "backoff";
    this.lastError = this.safe(
      `exited${code !== null ? ` with code ${code}` : ""}${stderr ? ` (stderr: ${stderr})` : ""}`,
    );
    this.deps.health(false);
    this.deps.log.warn("mcp upstream exited", {
      server: this.name,
      exit_code: code,
      restarts: this.restarts,
    });
    void this.deps
      .event("mcp.upstream.exit", false, { server: this.name, exit_code: code, error: this.lastError })
      .catch(() => {});
  }

  /** A transport failure outside the protocol (HTTP upstream gone): drop the connection, back off. */
  async failed(e: unknown) {
    const client = this.client;
    if (!client) return;
    this.lastError = this.safe(e instanceof Error ? e.message : String(e));
    this.stopping = true;
    this.client = null;
    const transport = this.transport;
    this.transport = null;
    await transport?.close().catch(() => {});
    this.failures++;
    this.nextStartAt = Date.now() + this.backoffMs();
    this.state = "backoff";
    this.deps.health(false);
  }

  async callTool(
    client: Client,
    name: string,
    args: Record<string, unknown>,
    options: RequestOptions,
  ): Promise<CallToolResult> {
    const result = (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
    this.failures = 0;
    this.deps.health(true);
    return result;
  }

  async refreshTools(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      const tools = await this.listAll(client);
      this.tools = tools;
      await this.deps.saveTools(tools);
    } catch (e) {
      this.deps.log.warn("mcp upstream tool list refresh failed", {
        server: this.name,
        error_message: this.safe(e instanceof Error ? e.message : String(e)),
      });
    }
  }

  private relayHandlers(client: Client, sdk: Sdk) {
    const {
      CreateMessageRequestSchema,
      ElicitRequestSchema,
      PingRequestSchema,
      ToolListChangedNotificationSchema,
    } = sdk;
    client.setRequestHandler(CreateMessageRequestSchema, (req, extra) =>
      this.relay("sampling/createMessage", req.params, extra.signal),
    );
    client.setRequestHandler(ElicitRequestSchema, (req, extra) =>
      this.relay("elicitation/create", req.params, extra.signal),
    );
    // A ping is relayed when a client can take it; otherwise the gateway answers for itself.
    client.setRequestHandler(PingRequestSchema, async (_req, extra) => {
      try {
        return (await this.relay("ping", undefined, extra.signal)) as Record<string, never>;
      } catch {
        return {};
      }
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void this.refreshTools());
  }

  /** Picks the call a server-initiated request belongs to and forwards it to that call's client. */
  private async relay(method: string, params: unknown, signal: AbortSignal): Promise<never> {
    const calls = [...this.inflight];
    const { ErrorCode, McpError } = await mcpSdk();
    if (calls.length === 0) {
      throw new McpError(ErrorCode.InvalidRequest, `Gatehouse relays ${method} only during a tool call`);
    }
    if (new Set(calls.map((c) => c.actor.subjectId)).size > 1) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `${method}: calls from several callers are in flight on "${this.name}", so Gatehouse cannot tell which client this belongs to`,
      );
    }
    const target = [...calls].reverse().find((c) => c.client.available);
    if (!target) {
      throw new McpError(
        ErrorCode.MethodNotFound,
        `${method}: the calling client's connection cannot carry requests (it did not accept text/event-stream)`,
      );
    }
    const out = target.toClient(params) as Record<string, unknown> | undefined;
    target.relayed.push(method);
    const both = AbortSignal.any([signal, target.signal]);
    const result = await target.client.request(method, out, both);
    return target.fromClient(result) as never;
  }

  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => {});
    const client = this.client;
    this.stopping = true;
    this.client = null;
    const transport = this.transport;
    this.transport = null;
    this.state = "stopped";
    this.nextStartAt = 0;
    this.failures = 0;
    if (client) await client.close().catch(() => {});
    await transport?.close().catch(() => {});
  }

  status() {
    return {
      state: this.state,
      pid: this.pid ?? null,
      started_at: this.startedAt ? new Date(this.startedAt).toISOString() : null,
      restarts: this.restarts,
      failures: this.failures,
      next_start_in:
        this.state === "backoff" ? Math.max(0, Math.ceil((this.nextStartAt - Date.now()) / 1000)) : null,
      last_error: this.lastError,
      in_flight: this.inflight.size,
      server_info: this.serverInfo,
    };
  }
}
