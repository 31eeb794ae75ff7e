import type { FilterOverrides } from "@gatehouse/core/filters";
import { integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** What the API may show about an upstream: names, paths and references, never a value. */
export interface UpstreamSummary {
  command?: string;
  args?: string[];
  /** The URL with query values masked unless they are `{{secret:path}}` references. */
  url?: string;
  env_keys?: string[];
  header_names?: string[];
  /** Secret paths referenced by env, header or URL values (resolved at start). */
  secret_refs: string[];
  read_only_paths?: string[];
  network?: boolean;
  description?: string;
}

/** A tool as the upstream last listed it (names, descriptions and schemas: no values). */
export interface UpstreamTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/**
 * Upstream MCP servers behind the gateway (PRODUCT.md §7). `config` is the whole registration
 * (command, args, env / url, headers, mounts) as JSON sealed with purpose `mcp_upstream` and context
 * `mcp_upstream:<name>`; env and header values may hold `{{secret:path}}` references, resolved when
 * the upstream starts. `updated_at` doubles as the config version a running upstream was started with.
 */
export const mcpServers = sqliteTable("mcp_servers", {
  name: text("name").primaryKey(),
  transport: text("transport").notNull(),
  config: text("config").notNull(),
  summary: text("summary", { mode: "json" }).$type<UpstreamSummary>().notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  // Per-server filter overrides; a filter named here replaces the global one.
  filters: text("filters", { mode: "json" }).$type<FilterOverrides>().notNull(),
  // The last tool list any replica received from the upstream (tools/list answers from it without a start).
  tools: text("tools", { mode: "json" }).$type<UpstreamTool[]>(),
  toolsAt: integer("tools_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  createdBy: text("created_by").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/** The tool manager: per upstream tool, hidden or shown under another name and description. */
export const mcpTools = sqliteTable(
  "mcp_tools",
  {
    server: text("server").notNull(),
    tool: text("tool").notNull(),
    hidden: integer("hidden", { mode: "boolean" }).notNull(),
    rename: text("rename"),
    description: text("description"),
    updatedAt: integer("updated_at").notNull(),
    updatedBy: text("updated_by").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.server, t.tool] }),
    uniqueIndex("mcp_tools_rename_idx").on(t.server, t.rename),
  ],
);
