import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { PatternParams, PatternsQuery, ProxyBody } from "./model";
import { createPatternStore } from "./patterns";
import { createProxyService } from "./service";

const tags = ["proxy"];

/** POST /v1/proxy and the learned patterns (PRODUCT.md §5). */
export const proxyModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  const patterns = createPatternStore(ctx);
  const proxy = createProxyService(ctx, patterns);
  return new Elysia({ name: "module.proxy" })
    .use(auth)
    .onAfterHandle(({ set }) => {
      set.headers["cache-control"] = "no-store";
    })
    .post(
      "/v1/proxy",
      ({ actor, body, request }) =>
        proxy.forward(actor, {
          ...body,
          reason: body.reason ?? (request.headers.get("x-gatehouse-reason")?.slice(0, 500) || undefined),
        }),
      {
        auth: true,
        body: ProxyBody,
        detail: {
          tags,
          summary: "Call an upstream API with secrets injected; the response comes back scrubbed",
        },
      },
    )
    .get("/v1/proxy/patterns", ({ actor, query }) => patterns.list(actor, query.secret, query.limit), {
      auth: true,
      query: PatternsQuery,
      detail: { tags, summary: "Learned call patterns of a secret (proxy or read on it); all: global admin" },
    })
    .put("/v1/proxy/patterns/:id/pin", ({ actor, params }) => patterns.togglePin(actor, params.id), {
      auth: true,
      params: PatternParams,
      detail: { tags, summary: "Toggle a pattern's pin (admin of its secret)" },
    })
    .delete("/v1/proxy/patterns/:id", ({ actor, params }) => patterns.remove(actor, params.id), {
      auth: true,
      params: PatternParams,
      detail: { tags, summary: "Forget a pattern (admin of its secret)" },
    });
};
