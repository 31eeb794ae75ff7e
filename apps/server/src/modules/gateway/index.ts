import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import {
  CallsQuery,
  CreateServerBody,
  FiltersBody,
  NameParams,
  ServerBody,
  ToolBody,
  ToolParams,
} from "./model";

const tags = ["mcp gateway"];

/**
 * The MCP gateway's admin API (global admins): upstream servers, their tools (hide, rename,
 * re-describe), test starts, recent calls and the global content filters. The upstream tools
 * themselves are served by `/v1/mcp` as `server__tool` (modules/mcp, through ctx.gateway.tools).
 */
export const gatewayModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  const g = ctx.gateway;
  return new Elysia({ name: "module.gateway" })
    .use(auth)
    .onAfterHandle(({ set }) => {
      set.headers["cache-control"] = "no-store";
    })
    .get("/v1/mcp/servers", ({ actor }) => g.listServers(actor), {
      auth: true,
      detail: { tags, summary: "Upstream MCP servers (values masked) and the sandbox stdio servers run in" },
    })
    .post(
      "/v1/mcp/servers",
      async ({ actor, body, set }) => {
        const view = await g.createServer(actor, body);
        set.status = 201;
        return view;
      },
      {
        auth: true,
        body: CreateServerBody,
        detail: {
          tags,
          summary:
            "Register a stdio (command, args, env) or HTTP (url, headers) server; {{secret:path}} in values",
        },
      },
    )
    .get("/v1/mcp/filters", ({ actor }) => g.getFilters(actor), {
      auth: true,
      detail: {
        tags,
        summary: "Global filter settings: secrets, pii, injection, each block|redact|audit|off",
      },
    })
    .put("/v1/mcp/filters", ({ actor, body }) => g.putFilters(actor, body), {
      auth: true,
      body: FiltersBody,
      detail: { tags, summary: "Change global filters (filters not named keep their settings)" },
    })
    .get("/v1/mcp/servers/:name", ({ actor, params }) => g.getServer(actor, params.name), {
      auth: true,
      params: NameParams,
      detail: { tags, summary: "One upstream server with its status" },
    })
    .put("/v1/mcp/servers/:name", ({ actor, params, body }) => g.updateServer(actor, params.name, body), {
      auth: true,
      params: NameParams,
      body: ServerBody,
      detail: {
        tags,
        summary: "Update a server; fields not given are kept, env/header values sent as *** keep theirs",
      },
    })
    .delete("/v1/mcp/servers/:name", ({ actor, params }) => g.deleteServer(actor, params.name), {
      auth: true,
      params: NameParams,
      detail: { tags, summary: "Stop and remove a server and its tool settings" },
    })
    .post("/v1/mcp/servers/:name/test", ({ actor, params }) => g.testServer(actor, params.name), {
      auth: true,
      params: NameParams,
      detail: {
        tags,
        summary: "Start the server afresh and list its tools (502 with the reason if it fails)",
      },
    })
    .get("/v1/mcp/servers/:name/tools", ({ actor, params }) => g.listTools(actor, params.name), {
      auth: true,
      params: NameParams,
      detail: { tags, summary: "The server's tools with their exposed names and tool-manager settings" },
    })
    .put(
      "/v1/mcp/servers/:name/tools/:tool",
      ({ actor, params, body }) => g.updateTool(actor, params.name, params.tool, body),
      {
        auth: true,
        params: ToolParams,
        body: ToolBody,
        detail: { tags, summary: "Tool manager: {hidden?, rename?, description?} (null clears)" },
      },
    )
    .get(
      "/v1/mcp/servers/:name/calls",
      ({ actor, params, query }) => g.recentCalls(actor, params.name, query.limit),
      {
        auth: true,
        params: NameParams,
        query: CallsQuery,
        detail: { tags, summary: "Recent calls through the server, from the audit log (no values)" },
      },
    );
};
