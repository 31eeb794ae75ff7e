import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import { ssoEnabled } from "../sso/settings";
import { countUsers } from "../users/service";

/** What the SPA needs before sign-in: which page to show and which banners to raise. */
export const uiModule = (ctx: AppContext) =>
  new Elysia({ name: "module.ui" }).get(
    "/v1/ui/bootstrap",
    async () => ({
      setup_required: (await countUsers(ctx)) === 0,
      dev_mode: ctx.config.devMode,
      root_token_set: Boolean(ctx.config.rootToken),
      sso_enabled: await ssoEnabled(ctx),
      version: ctx.config.version,
    }),
    {
      detail: { summary: "Public boot information for the web UI", tags: ["ui"] },
      response: t.Object({
        setup_required: t.Boolean(),
        dev_mode: t.Boolean(),
        root_token_set: t.Boolean(),
        sso_enabled: t.Boolean(),
        version: t.String(),
      }),
    },
  );
