import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import { migrationsDone } from "../../ops/readiness";

const Health = t.Object({ status: t.String(), version: t.String(), uptime_seconds: t.Number() });
const Ready = t.Object({
  status: t.String(),
  checks: t.Object({ database: t.Boolean(), migrations: t.Boolean(), accepting: t.Boolean() }),
});

export const healthModule = (ctx: AppContext) => {
  const uptime = () => Math.floor((ctx.now() - ctx.startedAt) / 1000);
  return (
    new Elysia({ name: "module.health" })
      .get(
        "/health",
        async ({ set }) => {
          try {
            await ctx.store.ping();
            return { status: "ok", version: ctx.config.version, uptime_seconds: uptime() };
          } catch {
            set.status = 503;
            return { status: "unavailable", version: ctx.config.version, uptime_seconds: uptime() };
          }
        },
        {
          detail: { summary: "Liveness and database reachability (Gatehouse's shape)", tags: ["ops"] },
          response: { 200: Health, 503: Health },
        },
      )
      // Liveness: the process answers. Restarting it would not fix a database outage, so no DB check here.
      .get("/health/live", () => ({ status: "ok", version: ctx.config.version, uptime_seconds: uptime() }), {
        detail: { summary: "Liveness: the process is up and serving", tags: ["ops"] },
        response: { 200: Health },
      })
      // Readiness: send traffic here? Not while shutting down, without a database, or on an old schema.
      .get(
        "/health/ready",
        async ({ set }) => {
          const accepting = ctx.lifecycle.ready;
          let database = false;
          let migrations = false;
          try {
            await ctx.store.ping();
            database = true;
            migrations = await migrationsDone(ctx.store);
          } catch {}
          const ok = accepting && database && migrations;
          if (!ok) set.status = 503;
          return {
            status: ok ? "ready" : accepting ? "unavailable" : "shutting_down",
            checks: { database, migrations, accepting },
          };
        },
        {
          detail: {
            summary: "Readiness: database reachable, migrations applied, not shutting down",
            tags: ["ops"],
          },
          response: { 200: Ready, 503: Ready },
        },
      )
  );
};
