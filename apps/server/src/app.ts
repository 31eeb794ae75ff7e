import { openapi } from "@elysiajs/openapi";
import { GatehouseError } from "@gatehouse/core";
import { Elysia, ElysiaCustomStatusResponse } from "elysia";
import type { AppContext } from "./context";
import { authPlugin, type PeerResolver } from "./http/auth";
import { type RouteInfo, strictJsonPlugin } from "./http/body";
import { corsPlugin } from "./http/cors";
import { errorPlugin } from "./http/errors";
import { assignRequestId, elapsedMs, firstAnswer, requestIdOf } from "./http/request-id";
import { adminModule } from "./modules/admin";
import { approlesModule } from "./modules/approles";
import { approvalsModule } from "./modules/approvals";
import { auditModule } from "./modules/audit";
import { authModule } from "./modules/auth";
import { configModule } from "./modules/config";
import { dynamicModule } from "./modules/dynamic";
import { eventsModule } from "./modules/events";
import { gatewayModule } from "./modules/gateway";
import { healthModule } from "./modules/health";
import { leasesModule } from "./modules/leases";
import { linksModule } from "./modules/links";
import { mcpModule } from "./modules/mcp";
import { meModule } from "./modules/me";
import { metricsModule } from "./modules/metrics";
import { policiesModule } from "./modules/policies";
import { proxyModule } from "./modules/proxy";
import { scrubModule } from "./modules/scrub";
import { secretsModule } from "./modules/secrets";
import { spaModule } from "./modules/spa";
import { ssoModule } from "./modules/sso";
import { uiModule } from "./modules/ui";
import { usersModule } from "./modules/users";

const statusOf = (value: unknown, status: number | string | undefined): number =>
  value instanceof Response
    ? value.status
    : value instanceof ElysiaCustomStatusResponse
      ? value.code
      : typeof status === "number"
        ? status
        : 200;

/** Builds the whole HTTP app without listening; tests call `app.handle(request)`. */
export function createApp(ctx: AppContext, opts: { peer?: PeerResolver } = {}) {
  const auth = authPlugin(ctx, opts.peer);
  const maxBody = ctx.config.maxBodySize;
  // normalize "typebox": unknown fields are still dropped, but a wrongly typed value stays wrong and fails
  // validation; Elysia's default (exact mirror) turned `"metadata": "str"` into {"0":"s","1":"t",...} and
  // a body of "str" or 12 into {} before validating (found by test/bad-input.test.ts).
  // The body parser learns which routes parse their own body (`parse: "none"`) from the finished app.
  let routeTable: () => readonly RouteInfo[] = () => [];
  const answered = (request: Request, route: string, status: number) => {
    if (!firstAnswer(request)) return;
    // The route pattern, never the concrete path: paths can carry one-time tokens.
    const ms = elapsedMs(request);
    const pattern = route || "unmatched";
    ctx.log.info("request", {
      request_id: requestIdOf(request),
      method: request.method,
      route: pattern,
      status,
      ms,
    });
    ctx.metrics.observeRequest(request.method, pattern, status, ms / 1000);
  };
  const app = new Elysia({ name: "gatehouse", normalize: "typebox" })
    .onRequest(({ request, set }) => {
      const id = assignRequestId(request);
      set.headers["x-request-id"] = id;
      set.headers["x-content-type-options"] = "nosniff";
      set.headers["referrer-policy"] = "no-referrer";
      set.headers["x-frame-options"] = "DENY";
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > maxBody) {
        throw new GatehouseError("payload_too_large", `The request body exceeds ${maxBody} bytes`);
      }
    })
    .use(corsPlugin(ctx.config.corsOrigins))
    .use(errorPlugin(ctx.log, answered))
    .use(strictJsonPlugin(maxBody, () => routeTable()))
    // Counted when the answer is known, not after it is sent: Elysia's after-response hook costs a
    // setImmediate and an async closure per request. Streams are timed to their first byte; errors
    // are counted by the error plugin. (A mapResponse hook would blank error bodies in Elysia 1.4.)
    .onAfterHandle({ as: "global" }, ({ request, set, route, responseValue }) => {
      answered(request, route, statusOf(responseValue, set.status));
    })
    .use(
      openapi({
        path: "/openapi/ui",
        specPath: "/openapi",
        provider: null,
        documentation: { info: { title: "Gatehouse", version: ctx.config.version } },
      }),
    )
    .use(healthModule(ctx))
    .use(configModule(ctx, auth))
    .use(metricsModule(ctx, opts.peer))
    .use(uiModule(ctx))
    .use(authModule(ctx, auth))
    .use(approlesModule(ctx, auth))
    .use(linksModule(ctx, auth))
    .use(usersModule(ctx, auth))
    .use(meModule(ctx, auth))
    .use(policiesModule(ctx, auth))
    .use(secretsModule(ctx, auth))
    .use(leasesModule(ctx, auth))
    .use(dynamicModule(ctx, auth))
    .use(proxyModule(ctx, auth))
    .use(scrubModule(ctx, auth))
    .use(approvalsModule(ctx, auth))
    .use(eventsModule(ctx, auth, opts.peer))
    .use(auditModule(ctx, auth))
    .use(adminModule(ctx, auth))
    .use(gatewayModule(ctx, auth))
    .use(mcpModule(ctx, auth))
    .use(ssoModule(ctx, auth))
    .use(spaModule(ctx));
  routeTable = () => app.routes;
  return app;
}

export type App = ReturnType<typeof createApp>;
