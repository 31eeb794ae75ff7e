import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { MAX_WAIT_S, publicRequest } from "./service";

const Id = t.Object({ id: t.String({ minLength: 1, maxLength: 64, pattern: "^apr-[0-9a-f-]+$" }) });

export const approvalsModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.approvals" })
    .use(auth)
    .get(
      "/v1/requests",
      async ({ actor, query }) => ({
        requests: await ctx.approvals.list(actor, query.status, query.limit ?? 100),
      }),
      {
        auth: true,
        query: t.Object({
          status: t.Optional(
            t.Union([t.Literal("pending"), t.Literal("approved"), t.Literal("denied"), t.Literal("expired")]),
          ),
          limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500 })),
        }),
        detail: { tags: ["approvals"], summary: "Approval requests (approvers see all, others their own)" },
      },
    )
    .get(
      "/v1/requests/:id",
      async ({ actor, params, query }) => {
        const r = await ctx.approvals.get(actor, params.id, query.wait ?? 0);
        const collected = await ctx.approvals.collect(actor, r);
        return { ...publicRequest(r, ctx.now()), ...(collected ?? {}) };
      },
      {
        auth: true,
        params: Id,
        query: t.Object({ wait: t.Optional(t.Numeric({ minimum: 0, maximum: MAX_WAIT_S })) }),
        detail: {
          tags: ["approvals"],
          summary: "One request; ?wait=N long-polls up to 60 s; approved leases carry the value",
        },
      },
    )
    .post(
      "/v1/requests/:id/approve",
      async ({ actor, params, body }) =>
        ctx.approvals.approve(actor, params.id, {
          ttl: body?.ttl,
          breakGlass: body?.break_glass,
        }),
      {
        auth: true,
        params: Id,
        body: t.Optional(
          t.Object({
            ttl: t.Optional(t.Integer({ minimum: 1, maximum: 86400 })),
            break_glass: t.Optional(
              t.Object({
                password: t.String({ minLength: 1, maxLength: 1024 }),
                code: t.Optional(t.String({ maxLength: 32 })),
              }),
            ),
          }),
        ),
        detail: {
          tags: ["approvals"],
          summary: "Approve (optionally with a shorter TTL); never your own request",
        },
      },
    )
    .post(
      "/v1/requests/:id/deny",
      async ({ actor, params, body }) => ctx.approvals.deny(actor, params.id, body.reason),
      {
        auth: true,
        params: Id,
        body: t.Object({ reason: t.String({ minLength: 1, maxLength: 500 }) }),
        detail: { tags: ["approvals"], summary: "Deny with a reason the agent will see" },
      },
    );
