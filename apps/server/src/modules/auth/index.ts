import { eq } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import { publicUser } from "../users/service";
import { clearedCookie, sessionCookie } from "./cookies";
import { Credentials, Setup, TokenSignIn, TotpStep } from "./model";
import {
  accessTokenSignIn,
  completeSetup,
  createSession,
  endSession,
  type FirstStep,
  issueUserToken,
  listSessions,
  markSignedIn,
  passwordSignIn,
  refresh,
  revokeSessions,
  sessionCsrf,
  totpSignIn,
} from "./service";

export const authModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) => {
  const totpRequired = (s: Extract<FirstStep, { kind: "totp" }>) => ({
    totp_required: true as const,
    totp_token: s.totpToken,
  });
  return (
    new Elysia({ name: "module.auth" })
      .use(auth)
      // Scripts: Gatehouse's token login.
      .post(
        "/v1/auth/login",
        async ({ body, caller }) => {
          const step = await passwordSignIn(ctx, caller, body.username, body.password);
          if (step.kind === "totp") return totpRequired(step);
          await markSignedIn(ctx, caller, step.user, "password");
          return issueUserToken(ctx, step.user);
        },
        {
          caller: true,
          body: Credentials,
          detail: { tags: ["auth"], summary: "Sign in with a password (token for scripts)" },
        },
      )
      .post(
        "/v1/auth/login/totp",
        async ({ body, caller }) => {
          const { user, recoveryConsumed } = await totpSignIn(ctx, caller, body.totp_token, body.code);
          await markSignedIn(ctx, caller, user, recoveryConsumed ? "recovery_code" : "totp");
          return { ...(await issueUserToken(ctx, user)), recovery_code_consumed: recoveryConsumed };
        },
        {
          caller: true,
          body: TotpStep,
          detail: { tags: ["auth"], summary: "Complete a sign-in with a TOTP or recovery code" },
        },
      )
      // The SPA: cookie sessions with a CSRF token kept in memory.
      .post(
        "/v1/auth/session",
        async ({ body, caller, request, set }) => {
          const step = await passwordSignIn(ctx, caller, body.username, body.password);
          if (step.kind === "totp") return totpRequired(step);
          await markSignedIn(ctx, caller, step.user, "password");
          const s = await createSession(ctx, caller, step.user, "password");
          set.headers["set-cookie"] = sessionCookie(ctx, request, s.cookie);
          return { user: s.user, csrf_token: s.csrf };
        },
        { caller: true, body: Credentials, detail: { tags: ["auth"], summary: "Sign in to the web UI" } },
      )
      .post(
        "/v1/auth/session/token",
        async ({ body, caller, request, set }) => {
          const step = await accessTokenSignIn(ctx, caller, body.token);
          if (step.kind === "totp") return totpRequired(step);
          await markSignedIn(ctx, caller, step.user, "access_token");
          const s = await createSession(ctx, caller, step.user, "access_token");
          set.headers["set-cookie"] = sessionCookie(ctx, request, s.cookie);
          return { user: s.user, csrf_token: s.csrf };
        },
        {
          caller: true,
          body: TokenSignIn,
          detail: { tags: ["auth"], summary: "Sign in to the web UI with an access token" },
        },
      )
      .post(
        "/v1/auth/session/totp",
        async ({ body, caller, request, set }) => {
          const { user, recoveryConsumed } = await totpSignIn(ctx, caller, body.totp_token, body.code);
          await markSignedIn(ctx, caller, user, recoveryConsumed ? "recovery_code" : "totp");
          const s = await createSession(ctx, caller, user, recoveryConsumed ? "recovery_code" : "totp");
          set.headers["set-cookie"] = sessionCookie(ctx, request, s.cookie);
          return { user: s.user, csrf_token: s.csrf, recovery_code_consumed: recoveryConsumed };
        },
        {
          caller: true,
          body: TotpStep,
          detail: { tags: ["auth"], summary: "Complete a web sign-in with TOTP" },
        },
      )
      .get(
        "/v1/auth/session",
        async ({ actor }) => {
          if (!actor.sessionId) return { user: null, csrf_token: null, identity: actor.identity };
          const [u] = await ctx.store.db
            .select()
            .from(ctx.store.t.users)
            .where(eq(ctx.store.t.users.id, actor.subjectId));
          return {
            user: u ? publicUser(u) : null,
            csrf_token: sessionCsrf(ctx, actor.sessionId),
            identity: actor.identity,
          };
        },
        {
          auth: true,
          detail: { tags: ["auth"], summary: "The current web session (re-issues the CSRF token)" },
        },
      )
      .delete(
        "/v1/auth/session",
        async ({ actor, request, set }) => {
          await endSession(ctx, actor);
          set.headers["set-cookie"] = clearedCookie(ctx, request);
          return { signed_out: true };
        },
        { auth: true, detail: { tags: ["auth"], summary: "Sign out of the web UI" } },
      )
      .get("/v1/auth/sessions", async ({ actor }) => ({ sessions: await listSessions(ctx, actor) }), {
        auth: true,
        detail: { tags: ["auth"], summary: "My sessions" },
      })
      .delete(
        "/v1/auth/sessions",
        async ({ actor, request, set }) => {
          const revoked = await revokeSessions(ctx, actor);
          set.headers["set-cookie"] = clearedCookie(ctx, request);
          return { revoked };
        },
        { auth: true, detail: { tags: ["auth"], summary: "Sign out everywhere (sessions and user tokens)" } },
      )
      .delete(
        "/v1/auth/sessions/:id",
        async ({ actor, params }) => ({ revoked: await revokeSessions(ctx, actor, params.id) }),
        {
          auth: true,
          params: t.Object({ id: t.String({ minLength: 16, maxLength: 64 }) }),
          detail: { tags: ["auth"], summary: "End one of my sessions" },
        },
      )
      .get(
        "/v1/auth/whoami",
        ({ actor }) => ({
          identity: actor.identity,
          kind: actor.kind,
          display_name: actor.displayName,
          role: actor.role ?? null,
          policies: actor.policies,
          source: actor.authMethod,
          ip: actor.ip,
          expires_at: actor.expiresAt ? new Date(actor.expiresAt).toISOString() : null,
          expires_in: actor.expiresAt ? Math.max(0, Math.floor((actor.expiresAt - ctx.now()) / 1000)) : null,
        }),
        { auth: true, detail: { tags: ["auth"], summary: "Who am I (Gatehouse shape plus kind and role)" } },
      )
      .post("/v1/auth/refresh", async ({ actor }) => refresh(ctx, actor), {
        auth: true,
        detail: { tags: ["auth"], summary: "Re-issue my token after re-checking my account" },
      })
      .post(
        "/v1/setup",
        async ({ body, caller, request, set }) => {
          const user = await completeSetup(ctx, caller, body);
          const s = await createSession(ctx, caller, user, "setup");
          set.headers["set-cookie"] = sessionCookie(ctx, request, s.cookie);
          set.status = 201;
          return { user: s.user, csrf_token: s.csrf };
        },
        {
          caller: true,
          body: Setup,
          detail: { tags: ["auth"], summary: "First-run setup: create the first admin" },
        },
      )
  );
};
