import { GatehouseError } from "@gatehouse/core";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { auditBy } from "../secrets/access";
import type { McpServices } from "./server";
import { skillMarkdown } from "./skill";

const tags = ["mcp"];
const GONE_SSE =
  "Gatehouse's SSE pair (GET /v1/mcp/sse, POST /v1/mcp/message) is gone: it answered over POST instead " +
  "of the stream. Use Streamable HTTP at POST /v1/mcp (stateless; any MCP client with an HTTP " +
  "transport), or the stdio bridge `gatehouse mcp` for clients that only start local commands.";

/**
 * The vault's tools over MCP Streamable HTTP (`POST /v1/mcp`, stateless), the tool list as JSON, the
 * agent skill document, and a 410 for Gatehouse's non-conformant SSE pair.
 */
export const mcpModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  // The MCP SDK (with zod) is loaded on first use: idle memory.
  let loaded: Promise<{ server: typeof import("./server"); services: McpServices }> | undefined;
  const mcp = () =>
    (loaded ??= import("./server").then((server) => ({ server, services: server.mcpServices(ctx) })));
  const baseUrl = (request: Request) => ctx.config.publicUrl ?? new URL(request.url).origin;
  const gone = () => {
    throw new GatehouseError("gone", GONE_SSE, { use: "POST /v1/mcp" });
  };
  return (
    new Elysia({ name: "module.mcp" })
      .use(auth)
      .onAfterHandle(({ set }) => {
        set.headers["cache-control"] = "no-store";
      })
      .post(
        "/v1/mcp",
        async ({ actor, request }) => {
          const { server, services } = await mcp();
          return server.serveMcp(services, actor, request);
        },
        {
          auth: true,
          parse: "none",
          detail: { tags, summary: "MCP Streamable HTTP (stateless): the vault's gatehouse_* tools" },
        },
      )
      // Stateless: no server-initiated stream to open and no session to end (MCP clients expect 405).
      .get(
        "/v1/mcp",
        ({ set }) => {
          set.headers.allow = "POST";
          throw new GatehouseError(
            "method_not_allowed",
            "This MCP server is stateless: POST JSON-RPC to /v1/mcp",
          );
        },
        { auth: true, detail: { tags, summary: "405: no standalone SSE stream (stateless server)" } },
      )
      .delete(
        "/v1/mcp",
        ({ set }) => {
          set.headers.allow = "POST";
          throw new GatehouseError(
            "method_not_allowed",
            "This MCP server is stateless: there is no session to end",
          );
        },
        { auth: true, detail: { tags, summary: "405: no sessions to end (stateless server)" } },
      )
      .get(
        "/v1/mcp/tools",
        async ({ actor }) => {
          const { server, services } = await mcp();
          return { tools: await server.listTools(services, actor) };
        },
        {
          auth: true,
          detail: { tags, summary: "The MCP tools with their input schemas (as tools/list answers)" },
        },
      )
      .get("/v1/mcp/sse", gone, {
        detail: { tags, summary: "410: Gatehouse's SSE transport; use POST /v1/mcp" },
      })
      .post("/v1/mcp/message", gone, {
        parse: "none",
        detail: { tags, summary: "410: Gatehouse's SSE transport; use POST /v1/mcp" },
      })
      .get(
        "/v1/skill",
        async ({ actor, request, set }) => {
          await ctx.audit.append({ ...auditBy(actor), action: "skill.fetch", path: null, success: true });
          set.headers["content-type"] = "text/markdown; charset=utf-8";
          return skillMarkdown(ctx, actor, baseUrl(request));
        },
        {
          auth: true,
          response: { 200: t.String() },
          detail: { tags, summary: "The agent skill document: REST, MCP, the stdio bridge, your policies" },
        },
      )
  );
};
