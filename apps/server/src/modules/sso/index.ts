import { invalid } from "@gatehouse/core";
import { Elysia } from "elysia";
import type { Caller } from "../../auth/actor";
import type { AppContext } from "../../context";
import { type authPlugin, readCookie } from "../../http/auth";
import { clearedCookie, sessionCookie } from "../auth/cookies";
import { endSession } from "../auth/service";
import { LogoutResult, SsoSettingsInput, SsoSettingsView, SsoTestInput, SsoTestResult } from "./model";
import { beginLogin, clearedStateCookie, SsoFailure, STATE_COOKIE, secureFor, testDiscovery } from "./oidc";
import { activeSettings, handleCallback, logoutUrl } from "./service";
import {
  authorizeSettings,
  checkIssuer,
  publicSettings,
  readSettings,
  redirectUriFor,
  updateSettings,
} from "./settings";

const signinError = (code: string) => `/signin?error=${encodeURIComponent(code)}`;

/**
 * OIDC single sign-on (authorization code + PKCE + state + nonce through openid-client) and its
 * settings. While SSO is off, the sign-in routes answer 404.
 */
export const ssoModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  /** Runs the callback; the route sets the returned cookies and redirects to `location`. */
  const callback = async (request: Request, caller: Caller) => {
    const s = await activeSettings(ctx);
    const redirectUri = redirectUriFor(ctx, s, request);
    const outcome = await handleCallback(ctx, caller, s, request, readCookie(request, STATE_COOKIE));
    const cleared = clearedStateCookie(secureFor(ctx, request, redirectUri));
    if (!outcome.ok) return { location: signinError(outcome.code), cookies: [cleared] };
    return { location: "/", cookies: [cleared, sessionCookie(ctx, request, outcome.cookie)] };
  };
  const tags = ["sso"];
  return new Elysia({ name: "module.sso" })
    .use(auth)
    .get(
      "/v1/auth/oidc/login",
      async ({ request, set, redirect }) => {
        const s = await activeSettings(ctx);
        set.headers["cache-control"] = "no-store";
        try {
          const { url, cookie } = await beginLogin(ctx, s, request, redirectUriFor(ctx, s, request));
          set.headers["set-cookie"] = cookie;
          return redirect(url, 302);
        } catch (e) {
          if (!(e instanceof SsoFailure)) throw e;
          ctx.log.warn("sso sign-in could not start", { code: e.code, reason: e.reason });
          return redirect(signinError(e.code), 302);
        }
      },
      { detail: { tags, summary: "Start an SSO sign-in: redirects to the IdP (404 while SSO is off)" } },
    )
    .get(
      "/v1/auth/oidc/callback",
      async ({ request, caller, set, redirect }) => {
        const r = await callback(request, caller);
        set.headers["cache-control"] = "no-store";
        set.headers["set-cookie"] = r.cookies as unknown as string;
        return redirect(r.location, 302);
      },
      {
        caller: true,
        detail: { tags, summary: "The IdP's redirect back: opens a session, then redirects to /" },
      },
    )
    .get(
      "/v1/auth/callback",
      async ({ request, caller, set, redirect }) => {
        const r = await callback(request, caller);
        set.headers["cache-control"] = "no-store";
        set.headers["set-cookie"] = r.cookies as unknown as string;
        return redirect(r.location, 302);
      },
      {
        caller: true,
        detail: { tags, summary: "Alias of /v1/auth/oidc/callback (Gatehouse's callback path)" },
      },
    )
    .post(
      "/v1/auth/oidc/logout",
      async ({ actor, request, set }) => {
        const endSessionUrl = await logoutUrl(ctx, actor);
        await endSession(ctx, actor);
        set.headers["set-cookie"] = clearedCookie(ctx, request);
        return { signed_out: true, end_session_url: endSessionUrl };
      },
      {
        auth: true,
        response: { 200: LogoutResult },
        detail: {
          tags,
          summary: "Sign out of the web UI; returns the IdP's end-session URL for an SSO session",
        },
      },
    )
    .get(
      "/v1/settings/sso",
      async ({ actor }) => {
        await authorizeSettings(ctx, actor, "settings.sso.read");
        return publicSettings(ctx, await readSettings(ctx));
      },
      {
        auth: true,
        response: { 200: SsoSettingsView },
        detail: { tags, summary: "SSO settings (the client secret blanked, client_secret_set beside it)" },
      },
    )
    .post("/v1/settings/sso", ({ actor, body }) => updateSettings(ctx, actor, body), {
      auth: true,
      body: SsoSettingsInput,
      response: { 200: SsoSettingsView },
      detail: { tags, summary: "Update SSO settings (merged; a blank client_secret keeps the stored one)" },
    })
    .post(
      "/v1/settings/sso/test",
      async ({ actor, body }) => {
        await authorizeSettings(ctx, actor, "settings.sso.test");
        const issuer = (body?.issuer ?? (await readSettings(ctx)).issuer).trim();
        if (!issuer) throw invalid("issuer", "is required (in the body or the stored settings)");
        checkIssuer(issuer);
        return testDiscovery(issuer);
      },
      {
        auth: true,
        body: SsoTestInput,
        response: { 200: SsoTestResult },
        detail: { tags, summary: "Run OIDC discovery against an issuer: {ok, error?}" },
      },
    );
};
