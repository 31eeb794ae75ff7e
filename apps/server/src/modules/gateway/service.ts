import { GatehouseError, invalid, isGatehouseError } from "@gatehouse/core";
import {
  DEFAULT_FILTERS,
  detectInjection,
  FILTER_MODES,
  type FilterAction,
  type FilterSettings,
  filterValue,
  INJECTION_CATEGORIES,
  type InjectionCategory,
  mergeFilters,
  PII_TYPES,
} from "@gatehouse/core/filters";
import { scrub } from "@gatehouse/core/scrubber";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import { requireGlobalAdmin } from "../../auth/guards";
import type { AppContext } from "../../context";
import type { UpstreamTool } from "../../db/schema/gateway";
import { assertKeyringCurrent, getMeta, setMeta } from "../../keys";
import { isApprovalPending } from "../approvals/errors";
import type { Extra } from "../mcp/approval";
import type { ClientChannel, McpToolSource } from "../mcp/sources";
import { auditBy, authorizeSecret } from "../secrets/access";
import { findLive, openValue } from "../secrets/rows";
import {
  checkFilterSettings,
  checkServerName,
  MASK,
  normalize,
  notFound,
  resolveConfig,
  type ServerInput,
  secretRefs,
  type UpstreamConfig,
} from "./config";
import { detectSandbox, protectedPaths, type SandboxInfo } from "./sandbox";
import { type InFlight, mcpSdk, type Resolved, Upstream } from "./upstream";

export type ServerRow = AppContext["store"]["t"]["mcpServers"]["$inferSelect"];
type ToolRow = AppContext["store"]["t"]["mcpTools"]["$inferSelect"];

export interface GatewayOptions {
  /** Restart backoff after a crash or failed start: base, doubling, capped (default 1 s … 60 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** How long a start (spawn, initialize, tools/list) may take (default 30 s). */
  startTimeoutMs?: number;
}

export interface ToolUpdate {
  hidden?: boolean;
  rename?: string | null;
  description?: string | null;
}

const FILTERS_META = "mcp_filters";
const SYSTEM = "system:gateway";
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SERVER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const sealContext = (name: string) => `mcp_upstream:${name}`;
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
const bytes = (v: unknown) => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v) ?? "", "utf8"));
export const policyPath = (server: string, tool: string) => `mcp/${server}/${tool}`;
/** `server__tool`: server names hold no "_", so the first "__" splits it. */
export const exposedName = (server: string, tool: string) => `${server}__${tool}`;

type Direction = "arguments" | "result" | "relay_out" | "relay_in";
type TaggedAction = FilterAction & { direction: Direction };

export function createGateway(ctx: AppContext, opts: GatewayOptions = {}) {
  const { mcpServers: servers, mcpTools: tools, auditLog } = ctx.store.t;
  const upstreams = new Map<string, Upstream>();
  // For the metrics label: the transport of each upstream started by this replica.
  const transportOf = new Map<string, string>();
  const hidden = protectedPaths(ctx.config);
  let sandboxInfo: Promise<SandboxInfo> | null = null;
  const sandbox = () => {
    sandboxInfo ??= detectSandbox(ctx.config.mcpSandbox).then((info) => {
      ctx.log.info("mcp gateway sandbox", { mode: info.mode, detail: info.detail });
      return info;
    });
    return sandboxInfo;
  };

  // ---- storage -------------------------------------------------------------------------------

  // A name no registration can have is not looked up (PostgreSQL refuses NUL bytes in text).
  const findServer = async (name: string): Promise<ServerRow | undefined> =>
    SERVER_NAME.test(name)
      ? (await ctx.store.db.select().from(servers).where(eq(servers.name, name)).limit(1))[0]
      : undefined;

  async function requireServer(name: string): Promise<ServerRow> {
    const row = await findServer(name);
    if (!row) throw notFound(name);
    return row;
  }

  async function overridesFor(name?: string): Promise<Map<string, Map<string, ToolRow>>> {
    const rows = await ctx.store.db
      .select()
      .from(tools)
      .where(name ? eq(tools.server, name) : undefined);
    const out = new Map<string, Map<string, ToolRow>>();
    for (const r of rows) {
      const m = out.get(r.server) ?? new Map<string, ToolRow>();
      m.set(r.tool, r);
      out.set(r.server, m);
    }
    return out;
  }

  async function globalFilters(): Promise<FilterSettings> {
    const raw = await getMeta(ctx.store, ctx.store.db, FILTERS_META);
    if (!raw) return DEFAULT_FILTERS;
    try {
      return mergeFilters(DEFAULT_FILTERS, JSON.parse(raw) as Partial<FilterSettings>);
    } catch {
      return DEFAULT_FILTERS;
    }
  }

  const openConfig = (row: ServerRow): UpstreamConfig =>
    JSON.parse(ctx.keys.open("mcp_upstream", sealContext(row.name), row.config)) as UpstreamConfig;

  /** The registration with every reference opened: only ever built to start the upstream. */
  async function resolve(row: ServerRow): Promise<Resolved> {
    const config = openConfig(row);
    const refs = secretRefs(config);
    const values = new Map<string, string>();
    for (const path of refs) {
      const secret = await findLive(ctx, path).catch(() => {
        throw new GatehouseError("not_found", `the secret "${path}" it references does not exist`);
      });
      values.set(path, openValue(ctx, path, secret.version, secret.value));
    }
    const r = resolveConfig(config, values);
    const base = { version: row.updatedAt, known: r.known, secretRefs: refs };
    if (config.transport === "stdio") {
      return {
        ...base,
        stdio: {
          server: row.name,
          command: config.command ?? "",
          args: config.args ?? [],
          env: r.env,
          readOnlyPaths: config.read_only_paths ?? [],
          network: config.network ?? true,
        },
      };
    }
    return { ...base, http: { url: r.url ?? "", headers: r.headers } };
  }

  function upstreamFor(name: string): Upstream {
    let up = upstreams.get(name);
    if (!up) {
      up = new Upstream(name, {
        log: ctx.log,
        version: ctx.config.version,
        sandbox: async () => (await sandbox()).mode,
        hidden,
        backoff: opts.backoff ?? { baseMs: 1000, maxMs: 60_000 },
        startTimeoutMs: opts.startTimeoutMs ?? 30_000,
        saveTools: async (list) => {
          await ctx.store.tx((tx) =>
            tx.update(servers).set({ tools: list, toolsAt: ctx.now() }).where(eq(servers.name, name)),
          );
        },
        health: (up) => ctx.metrics.reportUpstream(name, { up, transport: transportOf.get(name) }),
        event: (action, success, metadata) =>
          ctx.audit.append({
            identity: SYSTEM,
            action,
            path: `mcp/${name}`,
            success,
            outcome: success ? "success" : "error",
            metadata,
          }),
      });
      upstreams.set(name, up);
    }
    return up;
  }

  const ensure = (row: ServerRow, deadline: number) => {
    transportOf.set(row.name, row.transport);
    return upstreamFor(row.name).ensure(row.updatedAt, () => resolve(row), deadline);
  };

  /** The upstream's tool list: from this replica's running upstream, else the stored one, else a start. */
  async function toolsOf(row: ServerRow, deadline: number): Promise<UpstreamTool[]> {
    const up = upstreams.get(row.name);
    if (up?.tools && up.version === row.updatedAt) return up.tools;
    if (row.tools) return row.tools;
    await ensure(row, deadline);
    return upstreamFor(row.name).tools ?? [];
  }

  // ---- exposure: names, tool manager, description check ----------------------------------------

  interface Exposed {
    tool: Tool;
    original: UpstreamTool;
    hidden: boolean;
    /** Injection families found in the upstream's own description. */
    flagged: InjectionCategory[];
  }

  function expose(
    server: string,
    t: UpstreamTool,
    o: ToolRow | undefined,
    settings: FilterSettings,
  ): Exposed {
    const wanted = new Set(settings.injection.types ?? INJECTION_CATEGORIES);
    const flagged =
      settings.injection.mode === "off"
        ? []
        : [
            ...new Set(
              detectInjection(`${t.title ?? ""}\n${t.description ?? ""}`)
                .map((f) => f.category)
                .filter((c) => wanted.has(c)),
            ),
          ];
    let description = o?.description ?? t.description;
    // A poisoned upstream description never reaches a model unless an admin wrote its replacement.
    if (flagged.length && !o?.description && settings.injection.mode === "redact")
      description = "[description withheld: it looked like a prompt injection]";
    const tool: Tool = {
      name: exposedName(server, o?.rename ?? t.name),
      ...(t.title ? { title: t.title } : {}),
      ...(description ? { description } : {}),
      inputSchema: t.inputSchema as Tool["inputSchema"],
      ...(t.outputSchema ? { outputSchema: t.outputSchema as Tool["outputSchema"] } : {}),
      ...(t.annotations ? { annotations: t.annotations as Tool["annotations"] } : {}),
    };
    const blockedByFilter = flagged.length > 0 && !o?.description && settings.injection.mode === "block";
    return { tool, original: t, hidden: (o?.hidden ?? false) || blockedByFilter, flagged };
  }

  async function visibleTools(actor: Actor): Promise<Tool[]> {
    const rows = (await ctx.store.db.select().from(servers)).filter((r) => r.enabled);
    if (rows.length === 0) return [];
    const [overrides, global] = await Promise.all([overridesFor(), globalFilters()]);
    // Servers without a known tool list start in parallel; a listing never waits out a restart
    // backoff (that server's tools are left out this time).
    const lists = await Promise.all(
      rows.map((row) =>
        toolsOf(row, Date.now()).catch((e: unknown) => {
          ctx.log.warn("mcp upstream unavailable for tools/list", {
            server: row.name,
            error_message: e instanceof Error ? e.message : String(e),
          });
          return null;
        }),
      ),
    );
    const out: Tool[] = [];
    for (const [i, row] of rows.entries()) {
      const list = lists[i];
      if (!list) continue;
      const settings = mergeFilters(global, row.filters);
      for (const t of list) {
        const x = expose(row.name, t, overrides.get(row.name)?.get(t.name), settings);
        if (x.hidden) continue;
        if (!ctx.policies.authorize(actor, "call", policyPath(row.name, t.name)).allowed) continue;
        out.push(x.tool);
      }
    }
    return out;
  }

  // ---- calls -------------------------------------------------------------------------------------

  const safe = (text: string, known: readonly string[]) => scrub(text, known).scrubbed.slice(0, 500);

  async function call(
    actor: Actor,
    exposed: string,
    args: Record<string, unknown>,
    extra: Extra,
    client: ClientChannel,
  ): Promise<CallToolResult> {
    const started = Date.now();
    const cut = exposed.indexOf("__");
    const server = exposed.slice(0, cut);
    let tool = exposed.slice(cut + 2);
    let path = policyPath(server, tool);
    const actions: TaggedAction[] = [];
    const relayed: string[] = [];
    let resultBytes = 0;
    const argBytes = bytes(args);
    const record = async (
      success: boolean,
      outcome: string,
      result: string,
      more: Record<string, unknown> = {},
    ) => {
      await ctx.audit.append({
        ...auditBy(actor),
        action: "mcp.call",
        path,
        success,
        outcome,
        metadata: {
          via: "mcp",
          server,
          tool,
          exposed_name: exposed,
          result,
          duration_ms: Date.now() - started,
          argument_bytes: argBytes,
          result_bytes: resultBytes,
          filters: actions,
          ...(relayed.length ? { relayed } : {}),
          ...more,
        },
      });
    };
    const fail = async (e: unknown, result: string): Promise<never> => {
      const code = isGatehouseError(e) ? e.code : "internal";
      await record(false, code === "forbidden" ? "denied" : "error", result, { error_code: code });
      throw e;
    };

    const row = await findServer(server);
    if (!row?.enabled) return fail(new GatehouseError("not_found", `No tool "${exposed}"`), "not_found");
    const up = upstreamFor(server);
    const deadline = started + row.timeoutMs;
    const [overrides, global] = await Promise.all([overridesFor(server), globalFilters()]);
    const settings = mergeFilters(global, row.filters);
    const mine = overrides.get(server);
    // Without a known tool list, only a caller allowed the name as given may cause a start.
    const listed = (up.version === row.updatedAt && up.tools) || row.tools;
    if (!listed) {
      try {
        ctx.policies.check(actor, "call", path);
      } catch (e) {
        return fail(e, "forbidden");
      }
    }
    let list: UpstreamTool[];
    try {
      list = await toolsOf(row, deadline);
    } catch (e) {
      const unavailable = isGatehouseError(e) && e.code === "unavailable";
      return fail(
        new GatehouseError(
          unavailable ? "unavailable" : "upstream_failed",
          unavailable
            ? `MCP server "${server}" is restarting after a failure; retry shortly`
            : `MCP server "${server}" could not start; an admin can see why`,
        ),
        unavailable ? "unavailable" : "upstream_failed",
      );
    }
    const match = list.find((t) => (mine?.get(t.name)?.rename ?? t.name) === tool);
    if (!match) return fail(new GatehouseError("not_found", `No tool "${exposed}"`), "not_found");
    tool = match.name;
    path = policyPath(server, tool);
    const x = expose(server, match, mine?.get(match.name), settings);
    if (x.hidden) return fail(new GatehouseError("not_found", `No tool "${exposed}"`), "not_found");

    // The same policy and approval as every other capability that uses a credential.
    let decision: ReturnType<typeof ctx.policies.check>;
    try {
      decision = ctx.policies.check(actor, "call", path);
    } catch (e) {
      return fail(e, "forbidden");
    }
    try {
      await ctx.approvals.gate(actor, decision, {
        kind: "call",
        capability: "call",
        path,
        details: { server, tool, exposed_name: exposed },
      });
    } catch (e) {
      if (isApprovalPending(e)) {
        await record(false, "pending", "pending", { approval_request_id: e.requestId });
        throw e;
      }
      return fail(e, "error");
    }

    let conn: Awaited<ReturnType<typeof ensure>>;
    try {
      conn = await ensure(row, deadline);
    } catch (e) {
      // The reason (stderr included) is for admins (GET /v1/mcp/servers/:name), not for the model.
      if (isGatehouseError(e) && e.code === "unavailable")
        return fail(
          new GatehouseError(
            "unavailable",
            `MCP server "${server}" is restarting after a failure; retry shortly`,
            e.details,
          ),
          "unavailable",
        );
      return fail(
        new GatehouseError("upstream_failed", `MCP server "${server}" could not start; an admin can see why`),
        "upstream_failed",
      );
    }
    const known = up.known;
    const { ErrorCode, McpError } = await mcpSdk();
    const tag = (direction: Direction, list: FilterAction[]) => {
      for (const a of list) actions.push({ direction, ...a });
    };

    const inArgs = filterValue(args, settings, { known });
    tag("arguments", inArgs.actions);
    if (inArgs.blocked) {
      return fail(
        new GatehouseError("content_blocked", "The arguments were blocked by the gateway's filters", {
          blocked_by: blockers(inArgs.actions),
        }),
        "blocked_arguments",
      );
    }

    const filtered = (direction: Direction) => (value: unknown) => {
      const r = filterValue(value, settings, { known });
      tag(direction, r.actions);
      if (r.blocked)
        throw new McpError(ErrorCode.InvalidRequest, "Blocked by the Gatehouse gateway's filters");
      return r.value;
    };
    const flight: InFlight = {
      actor,
      client,
      signal: extra.signal,
      relayed,
      toClient: filtered("relay_out"),
      fromClient: filtered("relay_in"),
    };
    const progressToken = extra._meta?.progressToken;
    up.inflight.add(flight);
    let result: CallToolResult;
    try {
      result = await up.callTool(conn, tool, inArgs.value as Record<string, unknown>, {
        timeout: row.timeoutMs,
        signal: extra.signal,
        ...(progressToken !== undefined
          ? {
              onprogress: (p) =>
                void extra
                  .sendNotification({
                    method: "notifications/progress",
                    params: {
                      progressToken,
                      progress: p.progress,
                      ...(p.total !== undefined ? { total: p.total } : {}),
                      ...(p.message ? { message: safe(p.message, known) } : {}),
                    },
                  })
                  .catch(() => {}),
            }
          : {}),
      });
    } catch (e) {
      if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) {
        return fail(
          new GatehouseError(
            "upstream_timeout",
            `"${exposed}" did not answer within ${row.timeoutMs / 1000} s`,
          ),
          "timeout",
        );
      }
      if (e instanceof McpError && e.code === ErrorCode.ConnectionClosed) {
        return fail(
          new GatehouseError(
            "upstream_failed",
            `MCP server "${server}" exited during the call${up.exitCode !== null ? ` (exit code ${up.exitCode})` : ""}; it restarts on the next call`,
          ),
          "upstream_exited",
        );
      }
      if (!(e instanceof McpError)) await up.failed(e);
      return fail(
        new GatehouseError(
          "upstream_failed",
          `MCP server "${server}": ${safe(e instanceof Error ? e.message : String(e), known)}`,
        ),
        "upstream_failed",
      );
    } finally {
      up.inflight.delete(flight);
    }
    resultBytes = bytes(result);
    const out = filterValue(result, settings, { known });
    tag("result", out.actions);
    if (out.blocked) {
      return fail(
        new GatehouseError("content_blocked", "The result was blocked by the gateway's filters", {
          blocked_by: blockers(out.actions),
        }),
        "blocked_result",
      );
    }
    await record(true, "success", result.isError ? "tool_error" : "ok");
    return out.value;
  }

  const blockers = (list: FilterAction[]) => [
    ...new Set(list.filter((a) => a.action === "block").map((a) => `${a.filter}:${a.type}`)),
  ];

  const source: McpToolSource = {
    owns: (name) => /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?__./.test(name),
    list: (actor) => visibleTools(actor),
    call,
  };

  // ---- admin -----------------------------------------------------------------------------------

  function statusOf(row: ServerRow) {
    const up = upstreams.get(row.name);
    if (!up)
      return { state: "stopped", pid: null, started_at: null, restarts: 0, failures: 0, last_error: null };
    return { ...up.status(), stale: up.state === "running" && up.version !== row.updatedAt };
  }

  async function view(row: ServerRow, info?: SandboxInfo) {
    const s = row.summary;
    const global = await globalFilters();
    const masked = (keys: string[] | undefined) => Object.fromEntries((keys ?? []).map((k) => [k, MASK]));
    const transport =
      row.transport === "stdio"
        ? {
            command: s.command,
            args: s.args ?? [],
            env: masked(s.env_keys),
            read_only_paths: s.read_only_paths ?? [],
            network: s.network ?? true,
            sandbox: (info ?? (await sandbox())).mode,
          }
        : { url: s.url, headers: masked(s.header_names), sandbox: null };
    return {
      name: row.name,
      transport: row.transport,
      description: s.description ?? null,
      enabled: row.enabled,
      ...transport,
      secret_refs: s.secret_refs,
      timeout_seconds: row.timeoutMs / 1000,
      filters: row.filters,
      effective_filters: mergeFilters(global, row.filters),
      tool_count: row.tools?.length ?? null,
      tools_listed_at: iso(row.toolsAt),
      status: statusOf(row),
      created_at: iso(row.createdAt),
      updated_at: iso(row.updatedAt),
      created_by: row.createdBy,
      updated_by: row.updatedBy,
    };
  }

  /** The admin saving a configuration must be able to read every secret it references. */
  async function checkRefs(actor: Actor, config: UpstreamConfig, action: string) {
    for (const path of secretRefs(config)) {
      await authorizeSecret(
        ctx,
        actor,
        "read",
        path,
        action,
        "Referencing a secret in an MCP server needs read on it",
      );
      await findLive(ctx, path).catch(() => {
        throw new GatehouseError("not_found", `No secret at "${path}" (referenced by the configuration)`, {
          field: "env",
        });
      });
    }
  }

  async function save(actor: Actor, name: string, input: ServerInput, existing: ServerRow | undefined) {
    const stored = existing
      ? {
          config: openConfig(existing),
          summary: existing.summary,
          timeoutMs: existing.timeoutMs,
          enabled: existing.enabled,
          filters: existing.filters,
        }
      : null;
    const n = normalize(input, stored, hidden);
    const action = existing ? "mcp.server.update" : "mcp.server.create";
    await checkRefs(actor, n.config, action);
    const sealed = ctx.keys.seal("mcp_upstream", sealContext(name), JSON.stringify(n.config));
    const row = await ctx.store.tx(async (tx) => {
      await assertKeyringCurrent(ctx, tx, sealed);
      // The version a running upstream compares against: strictly increasing per save.
      const now = Math.max(ctx.now(), (existing?.updatedAt ?? 0) + 1);
      const values = {
        transport: n.config.transport,
        config: sealed,
        summary: n.summary,
        enabled: n.enabled,
        timeoutMs: n.timeoutMs,
        filters: n.filters,
        updatedAt: now,
        updatedBy: actor.identity,
      };
      let saved: ServerRow | undefined;
      if (existing) {
        [saved] = await tx.update(servers).set(values).where(eq(servers.name, name)).returning();
      } else {
        [saved] = await tx
          .insert(servers)
          .values({ ...values, name, tools: null, toolsAt: null, createdAt: now, createdBy: actor.identity })
          .onConflictDoNothing()
          .returning();
        if (!saved) throw new GatehouseError("conflict", `An MCP server "${name}" already exists`);
      }
      await ctx.audit.append(
        {
          ...auditBy(actor),
          action,
          path: `mcp/${name}`,
          success: true,
          metadata: {
            server: name,
            transport: n.config.transport,
            secret_refs: n.summary.secret_refs,
            enabled: n.enabled,
          },
        },
        tx,
      );
      return saved as ServerRow;
    });
    // Restarted with the new registration on next use.
    await upstreams.get(name)?.stop();
    return row;
  }

  async function adminTools(row: ServerRow) {
    const list = await toolsOf(row, Date.now() + row.timeoutMs);
    const overrides = (await overridesFor(row.name)).get(row.name);
    const settings = mergeFilters(await globalFilters(), row.filters);
    return list.map((t) => {
      const o = overrides?.get(t.name);
      const x = expose(row.name, t, o, settings);
      return {
        name: t.name,
        exposed_name: x.tool.name,
        policy_path: policyPath(row.name, t.name),
        title: t.title ?? null,
        description: x.tool.description ?? null,
        upstream_description: t.description ?? null,
        hidden: o?.hidden ?? false,
        rename: o?.rename ?? null,
        custom_description: o?.description ?? null,
        flagged: x.flagged,
        withheld: x.hidden && !(o?.hidden ?? false),
        input_schema: t.inputSchema,
        annotations: t.annotations ?? null,
      };
    });
  }

  const gateway = {
    tools: source,
    sandbox,

    async listServers(actor: Actor) {
      requireGlobalAdmin(ctx, actor);
      const info = await sandbox();
      const rows = await ctx.store.db.select().from(servers).orderBy(servers.name);
      return {
        servers: await Promise.all(rows.map((r) => view(r, info))),
        sandbox: { mode: info.mode, setting: info.setting, detail: info.detail },
      };
    },

    async getServer(actor: Actor, name: string) {
      requireGlobalAdmin(ctx, actor);
      return view(await requireServer(name));
    },

    async createServer(actor: Actor, input: ServerInput) {
      requireGlobalAdmin(ctx, actor);
      const name = checkServerName(input.name);
      if (await findServer(name))
        throw new GatehouseError("conflict", `An MCP server "${name}" already exists`);
      return view(await save(actor, name, input, undefined));
    },

    async updateServer(actor: Actor, name: string, input: ServerInput) {
      requireGlobalAdmin(ctx, actor);
      if (input.name !== undefined && input.name !== name)
        throw invalid("name", "cannot change; it is in the URL");
      const existing = await requireServer(name);
      return view(await save(actor, name, input, existing));
    },

    async deleteServer(actor: Actor, name: string) {
      requireGlobalAdmin(ctx, actor);
      await requireServer(name);
      await upstreams.get(name)?.stop();
      upstreams.delete(name);
      ctx.metrics.forgetUpstream(name);
      await ctx.store.tx(async (tx) => {
        await tx.delete(tools).where(eq(tools.server, name));
        await tx.delete(servers).where(eq(servers.name, name));
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action: "mcp.server.delete",
            path: `mcp/${name}`,
            success: true,
            metadata: { server: name },
          },
          tx,
        );
      });
      return { deleted: true, name };
    },

    /** Starts the server afresh and lists its tools (the registration form's "test" button). */
    async testServer(actor: Actor, name: string) {
      requireGlobalAdmin(ctx, actor);
      const row = await requireServer(name);
      const up = upstreamFor(name);
      await up.stop();
      const started = Date.now();
      try {
        await ensure(row, started + row.timeoutMs);
      } catch (e) {
        await ctx.audit.append({
          ...auditBy(actor),
          action: "mcp.server.test",
          path: `mcp/${name}`,
          success: false,
          outcome: "error",
          metadata: { server: name, error: e instanceof Error ? e.message : String(e) },
        });
        throw e;
      }
      await ctx.audit.append({
        ...auditBy(actor),
        action: "mcp.server.test",
        path: `mcp/${name}`,
        success: true,
        metadata: { server: name, tools: up.tools?.length ?? 0 },
      });
      const fresh = (await findServer(name)) ?? row;
      return {
        ok: true,
        name,
        duration_ms: Date.now() - started,
        sandbox: up.sandbox,
        server_info: up.serverInfo,
        tools: await adminTools(fresh),
        status: statusOf(fresh),
      };
    },

    async listTools(actor: Actor, name: string) {
      requireGlobalAdmin(ctx, actor);
      const row = await requireServer(name);
      return { server: name, tools: await adminTools(row) };
    },

    async updateTool(actor: Actor, name: string, tool: string, input: ToolUpdate) {
      requireGlobalAdmin(ctx, actor);
      const row = await requireServer(name);
      const list = await toolsOf(row, Date.now() + row.timeoutMs);
      if (!list.some((t) => t.name === tool))
        throw new GatehouseError("not_found", `"${name}" has no tool "${tool}"`);
      const current = (await overridesFor(name)).get(name);
      const rename = input.rename === undefined ? (current?.get(tool)?.rename ?? null) : input.rename;
      if (rename !== null) {
        if (!TOOL_NAME.test(rename)) throw invalid("rename", "1–64 letters, digits, '_', '-' or '.'");
        const taken = list.some(
          (t) => t.name !== tool && (current?.get(t.name)?.rename ?? t.name) === rename,
        );
        if (taken)
          throw new GatehouseError("conflict", `Another tool of "${name}" is already exposed as "${rename}"`);
      }
      const description =
        input.description === undefined ? (current?.get(tool)?.description ?? null) : input.description;
      if (description !== null && description.length > 4000)
        throw invalid("description", "at most 4000 characters");
      const hiddenFlag = input.hidden ?? current?.get(tool)?.hidden ?? false;
      const now = ctx.now();
      await ctx.store.tx(async (tx) => {
        const values = { hidden: hiddenFlag, rename, description, updatedAt: now, updatedBy: actor.identity };
        await tx
          .insert(tools)
          .values({ server: name, tool, ...values })
          .onConflictDoUpdate({ target: [tools.server, tools.tool], set: values });
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action: "mcp.tool.update",
            path: policyPath(name, tool),
            success: true,
            metadata: { server: name, tool, hidden: hiddenFlag, rename, described: description !== null },
          },
          tx,
        );
      });
      const updated = (await adminTools(row)).find((t) => t.name === tool);
      return updated as NonNullable<typeof updated>;
    },

    /** Recent calls through one server, from the audit log (no arguments or results are kept). */
    async recentCalls(actor: Actor, name: string, limit = 50) {
      requireGlobalAdmin(ctx, actor);
      await requireServer(name);
      const prefix = `mcp/${name}/`;
      const rows = await ctx.store.db
        .select()
        .from(auditLog)
        .where(
          and(
            eq(auditLog.action, "mcp.call"),
            sql`substr(${auditLog.path}, 1, ${sql.raw(String(prefix.length))}) = ${prefix}`,
          ),
        )
        .orderBy(desc(auditLog.seq))
        .limit(Math.min(Math.max(limit, 1), 500));
      return {
        server: name,
        calls: rows.map((r) => {
          const m = (r.metadata ? JSON.parse(r.metadata) : {}) as Record<string, unknown>;
          return {
            timestamp: new Date(r.ts).toISOString(),
            identity: r.identity,
            source_ip: r.sourceIp,
            request_id: r.requestId,
            tool: m.tool ?? null,
            exposed_name: m.exposed_name ?? null,
            outcome: r.outcome,
            result: m.result ?? null,
            success: r.success,
            duration_ms: m.duration_ms ?? null,
            argument_bytes: m.argument_bytes ?? null,
            result_bytes: m.result_bytes ?? null,
            filters: m.filters ?? [],
            relayed: m.relayed ?? [],
            error_code: m.error_code ?? null,
          };
        }),
      };
    },

    async getFilters(actor: Actor) {
      requireGlobalAdmin(ctx, actor);
      return {
        filters: await globalFilters(),
        defaults: DEFAULT_FILTERS,
        modes: FILTER_MODES,
        pii_types: PII_TYPES,
        injection_types: INJECTION_CATEGORIES,
      };
    },

    async putFilters(actor: Actor, body: unknown) {
      requireGlobalAdmin(ctx, actor);
      const next = checkFilterSettings(body, await globalFilters());
      await ctx.store.tx(async (tx) => {
        await setMeta(ctx.store, tx, FILTERS_META, JSON.stringify(next));
        await ctx.audit.append(
          {
            ...auditBy(actor),
            action: "mcp.filters.update",
            path: null,
            success: true,
            metadata: {
              secrets: next.secrets.mode,
              pii: next.pii.mode,
              injection: next.injection.mode,
            },
          },
          tx,
        );
      });
      return gateway.getFilters(actor);
    },

    /** Stops every upstream (server shutdown). */
    async shutdown() {
      await Promise.all([...upstreams.values()].map((u) => u.stop()));
      upstreams.clear();
    },
  };
  return gateway;
}

export type Gateway = ReturnType<typeof createGateway>;
