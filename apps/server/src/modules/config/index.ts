import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { USER_TOKEN_TTL_S } from "../auth/service";
import { DEFAULT_TTL_S, MAX_TTL_S, MIN_TTL_S } from "../leases/model";
import { isActive, readSettings } from "../sso/settings";

/** Gatehouse's `/v1/config` and `/v1/version/check`, for clients written against it. */
export const configModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.config" })
    .use(auth)
    .get(
      "/v1/config",
      async () => {
        const sso = await readSettings(ctx);
        return {
          port: ctx.config.port,
          jwt_expiry: USER_TOKEN_TTL_S,
          oauth_enabled: isActive(sso),
          oauth_issuer: sso.issuer || null,
          root_token_set: Boolean(ctx.config.rootToken),
          lease_reaper_interval: Math.round(ctx.config.reaperIntervalMs / 1000),
          max_lease_ttl: MAX_TTL_S,
          min_lease_ttl: MIN_TTL_S,
          default_lease_ttl: DEFAULT_TTL_S,
        };
      },
      {
        auth: true,
        detail: { tags: ["ops"], summary: "Server settings a client may need (Gatehouse shape)" },
      },
    )
    // Gatehouse asked GitHub for releases; this server never phones home, so the check is always off.
    .get("/v1/version/check", () => ({ current: ctx.config.version, check_disabled: true }), {
      auth: true,
      detail: { tags: ["ops"], summary: "Update check (disabled: the server makes no outbound calls)" },
    });
