import { GatehouseError } from "@gatehouse/core";
import { timingSafeEqualStr } from "@gatehouse/core/crypto";
import { and, count, eq, gt, isNull } from "drizzle-orm";
import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import { actorOf, callerOf, defaultPeer, type PeerResolver } from "../../http/auth";
import { type GaugeFamily, renderGauges } from "../../ops/metrics";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Gauges read from the database at scrape time; a failing database shows as gatehouse_database_up 0. */
async function databaseGauges(ctx: AppContext): Promise<GaugeFamily[]> {
  const { leases, dynamicLeases, approvalRequests } = ctx.store.t;
  const now = ctx.now();
  const { db } = ctx.store;
  try {
    const [[staticLeases], dynamic, [pending]] = await Promise.all([
      db
        .select({ n: count() })
        .from(leases)
        .where(and(isNull(leases.revokedAt), gt(leases.expiresAt, now))),
      db
        .select({ status: dynamicLeases.status, n: count() })
        .from(dynamicLeases)
        .groupBy(dynamicLeases.status),
      db
        .select({ n: count() })
        .from(approvalRequests)
        .where(and(eq(approvalRequests.status, "pending"), gt(approvalRequests.expiresAt, now))),
    ]);
    const activeDynamic = await db
      .select({ n: count() })
      .from(dynamicLeases)
      .where(and(eq(dynamicLeases.status, "active"), gt(dynamicLeases.expiresAt, now)));
    return [
      {
        name: "gatehouse_database_up",
        help: "1 when the database answered this scrape.",
        samples: [{ value: 1 }],
      },
      {
        name: "gatehouse_leases_active",
        help: "Leases that are neither revoked nor expired, by kind.",
        samples: [
          { labels: { kind: "static" }, value: Number(staticLeases?.n ?? 0) },
          { labels: { kind: "dynamic" }, value: Number(activeDynamic[0]?.n ?? 0) },
        ],
      },
      {
        name: "gatehouse_dynamic_leases",
        help: "Dynamic leases by lifecycle status (revoke_failed is retried with backoff).",
        samples: dynamic.map((r) => ({ labels: { status: r.status }, value: Number(r.n) })),
      },
      {
        name: "gatehouse_approval_requests_pending",
        help: "Approval requests waiting for a human.",
        samples: [{ value: Number(pending?.n ?? 0) }],
      },
    ];
  } catch (e) {
    ctx.log.warn("metrics: database gauges unavailable", { error_message: String(e) });
    return [
      {
        name: "gatehouse_database_up",
        help: "1 when the database answered this scrape.",
        samples: [{ value: 0 }],
      },
    ];
  }
}

export async function renderMetrics(ctx: AppContext): Promise<string> {
  const out: string[] = [];
  ctx.metrics.renderInto(out);
  const mem = process.memoryUsage();
  renderGauges(
    [
      {
        name: "gatehouse_build_info",
        help: "Version and storage engine of this server.",
        samples: [{ labels: { version: ctx.config.version, engine: ctx.store.dialect }, value: 1 }],
      },
      {
        name: "gatehouse_ready",
        help: "1 while the server accepts traffic; 0 once graceful shutdown began.",
        samples: [{ value: ctx.lifecycle.ready ? 1 : 0 }],
      },
      {
        name: "gatehouse_uptime_seconds",
        help: "Seconds since the server started.",
        samples: [{ value: Math.floor((ctx.now() - ctx.startedAt) / 1000) }],
      },
      {
        name: "gatehouse_sse_streams",
        help: "Open Server-Sent Events streams (/v1/events).",
        samples: [{ value: ctx.lifecycle.streams }],
      },
      {
        name: "gatehouse_audit_queue_depth",
        help: "Standalone audit entries waiting for the next group commit.",
        samples: [{ value: ctx.audit.queued }],
      },
      {
        name: "process_resident_memory_bytes",
        help: "Resident set size of the server process.",
        samples: [{ value: mem.rss }],
      },
      ...(await databaseGauges(ctx)),
    ],
    out,
  );
  return `${out.join("\n")}\n`;
}

/**
 * GET /metrics for Prometheus. Protected: `Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>` when that is
 * set (a scrape-only credential that opens nothing else), or any global admin's credentials.
 */
export const metricsModule = (ctx: AppContext, peer: PeerResolver = defaultPeer) =>
  new Elysia({ name: "module.metrics" }).get(
    "/metrics",
    async ({ request, server }) => {
      const authz = request.headers.get("authorization") ?? "";
      const bearer = authz.toLowerCase().startsWith("bearer ") ? authz.slice(7).trim() : "";
      const token = ctx.config.metricsToken;
      if (!(token && bearer && timingSafeEqualStr(bearer, token))) {
        const actor = await actorOf(ctx, callerOf(ctx, peer, request, server), request);
        if (!actor) throw new GatehouseError("unauthorized", "Metrics need the metrics token or an admin");
        if (!ctx.policies.isGlobalAdmin(actor))
          throw new GatehouseError("forbidden", "Metrics are for global admins and the metrics token");
      }
      return new Response(await renderMetrics(ctx), {
        headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" },
      });
    },
    { detail: { tags: ["ops"], summary: "Prometheus metrics (metrics token or global admin)" } },
  );
