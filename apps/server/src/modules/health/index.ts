import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";

export const healthModule = (ctx: AppContext) =>
  new Elysia({ name: "module.health" }).get(
    "/health",
    async ({ set }) => {
      const uptime_seconds = Math.floor((ctx.now() - ctx.startedAt) / 1000);
      try {
        await ctx.store.ping();
        return { status: "ok", version: ctx.config.version, uptime_seconds };
      } catch {
        set.status = 503;
        return { status: "unavailable", version: ctx.config.version, uptime_seconds };
      }
    },
    {
      detail: { summary: "Liveness and database reachability", tags: ["ops"] },
      response: {
        200: t.Object({ status: t.String(), version: t.String(), uptime_seconds: t.Number() }),
        503: t.Object({ status: t.String(), version: t.String(), uptime_seconds: t.Number() }),
      },
    },
  );
