import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CallToolResultSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { CliError, type Io } from "../io";
import { SERVER_OPTIONS, SERVER_USAGE, serverTarget } from "../options";
import { type FetchLike, Session } from "../session";
import { VERSION } from "../version";
import type { Command } from "./types";

/** A tool call may wait a minute for a human; progress from the server keeps resetting this. */
const CALL_TIMEOUT_MS = 120_000;
const CALL_MAX_TOTAL_MS = 15 * 60_000;

const USAGE = `Usage: gatehouse mcp [options]

A stdio MCP server for desktop clients that bridges every tool call to a Gatehouse server's
Streamable HTTP endpoint (/v1/mcp). It logs in with an AppRole (renewing the token before it
expires) or uses a token; it opens no database, needs no master key, and takes no identity or
policies from its environment: the server decides what the credentials may do.

Options:
${SERVER_USAGE}`;

const bridgeError = (message: string): CallToolResult => ({
  isError: true,
  content: [
    { type: "text", text: JSON.stringify({ error: `gatehouse mcp: ${message}`, code: "bridge_error" }) },
  ],
});

export interface BridgeOptions {
  /** For tests and embedding: the fetch used to reach the server. */
  fetch?: FetchLike;
}

/** Connects to the server (failing fast on bad credentials) and returns the connected remote client. */
export async function connectRemote(url: string, session: Session): Promise<Client> {
  const remote = new Client({ name: "gatehouse-cli", version: VERSION });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/v1/mcp`), { fetch: session.fetch });
  try {
    await remote.connect(transport);
  } catch (e) {
    throw new CliError(
      `cannot start an MCP session with ${url}/v1/mcp: ${e instanceof Error ? e.message : e}`,
    );
  }
  return remote;
}

/** The local stdio server: tools/list and tools/call go to the remote server, progress comes back. */
export function bridgeServer(remote: Client): Server {
  const local = new Server(
    { name: "gatehouse", title: "Gatehouse (stdio bridge)", version: VERSION },
    { capabilities: { tools: {} }, instructions: remote.getInstructions() },
  );
  local.setRequestHandler(ListToolsRequestSchema, async (req) => remote.listTools(req.params));
  local.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const token = req.params._meta?.progressToken;
    try {
      return await remote.callTool(
        { name: req.params.name, arguments: req.params.arguments },
        CallToolResultSchema,
        {
          signal: extra.signal,
          timeout: CALL_TIMEOUT_MS,
          resetTimeoutOnProgress: true,
          maxTotalTimeout: CALL_MAX_TOTAL_MS,
          // Always asked for, so the server streams progress while an approval is pending; relayed only
          // when the local client asked for it too.
          onprogress: (p) => {
            if (token === undefined) return;
            extra
              .sendNotification({ method: "notifications/progress", params: { ...p, progressToken: token } })
              .catch(() => {});
          },
        },
      );
    } catch (e) {
      return bridgeError(e instanceof Error ? e.message : String(e));
    }
  });
  return local;
}

async function runMcp(args: string[], io: Io, opts: BridgeOptions = {}): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof SERVER_OPTIONS; args: string[] }>>["values"];
  try {
    ({ values } = parseArgs({ args, options: SERVER_OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    throw new CliError(`${e instanceof Error ? e.message : e}\n\n${USAGE}`, 2);
  }
  if (values.help) {
    io.stderr(USAGE);
    return 0;
  }
  const target = serverTarget(values, io);
  const session = new Session({ url: target.url, credentials: target.credentials, fetch: opts.fetch });
  const who = await session.start();
  const remote = await connectRemote(target.url, session);
  io.stderr(
    `gatehouse mcp: connected to ${target.url} as ${who.identity} (policies: ${who.policies.join(", ") || "none"})`,
  );

  const local = bridgeServer(remote);
  const stdio = new StdioServerTransport();
  const done = new Promise<void>((resolve) => {
    const finish = () => resolve();
    local.onclose = finish;
    process.stdin.once("end", finish);
    process.stdin.once("close", finish);
    process.once("SIGINT", finish);
    process.once("SIGTERM", finish);
  });
  await local.connect(stdio);
  await done;
  await local.close().catch(() => {});
  await remote.close().catch(() => {});
  return 0;
}

export const mcp: Command = {
  name: "mcp",
  summary: "Serve the vault's MCP tools over stdio, bridged to a Gatehouse server",
  usage: USAGE,
  run: (args, io) => runMcp(args, io),
};
