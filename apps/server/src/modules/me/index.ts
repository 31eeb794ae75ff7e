import { Elysia } from "elysia";
import type { AppContext } from "../../context";
import type { authPlugin } from "../../http/auth";
import {
  ChangePassword,
  CreateToken,
  PasswordChanged,
  PasswordConfirm,
  Profile,
  RecoveryCodes,
  TokenCreated,
  TokenList,
  TokenParams,
  TokenRevoked,
  TotpCode,
  TotpDisabled,
  TotpEnabled,
  TotpSetup,
  TotpStatus,
} from "./model";
import { changePassword, createToken, getProfile, listTokens, revokeToken } from "./service";
import { disableTotp, regenerateRecoveryCodes, startTotpSetup, totpStatus, verifyTotpSetup } from "./totp";

const tags = ["me"];

/** The signed-in user's own account: profile, password, TOTP and personal access tokens. */
export const meModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>) =>
  new Elysia({ name: "module.me", prefix: "/v1/me" })
    .use(auth)
    .get("", ({ actor }) => getProfile(ctx, actor), {
      auth: true,
      response: { 200: Profile },
      detail: { tags, summary: "My profile" },
    })
    .put("/password", ({ actor, body }) => changePassword(ctx, actor, body), {
      auth: true,
      body: ChangePassword,
      response: { 200: PasswordChanged },
      detail: { tags, summary: "Change my password (ends my other sessions and tokens)" },
    })
    .get("/totp", ({ actor }) => totpStatus(ctx, actor), {
      auth: true,
      response: { 200: TotpStatus },
      detail: { tags, summary: "Is two-factor sign-in on" },
    })
    .post("/totp/setup", ({ actor }) => startTotpSetup(ctx, actor), {
      auth: true,
      response: { 200: TotpSetup },
      detail: { tags, summary: "Start TOTP enrollment (secret and QR code)" },
    })
    .post("/totp/verify", ({ actor, body }) => verifyTotpSetup(ctx, actor, body.code), {
      auth: true,
      body: TotpCode,
      response: { 200: TotpEnabled },
      detail: { tags, summary: "Finish TOTP enrollment; returns recovery codes once" },
    })
    .delete("/totp", ({ actor, body }) => disableTotp(ctx, actor, body.password), {
      auth: true,
      body: PasswordConfirm,
      response: { 200: TotpDisabled },
      detail: { tags, summary: "Turn two-factor sign-in off" },
    })
    .post(
      "/totp/recovery-codes/regenerate",
      ({ actor, body }) => regenerateRecoveryCodes(ctx, actor, body.password),
      {
        auth: true,
        body: PasswordConfirm,
        response: { 200: RecoveryCodes },
        detail: { tags, summary: "Replace my recovery codes" },
      },
    )
    .get("/tokens", async ({ actor }) => ({ tokens: await listTokens(ctx, actor) }), {
      auth: true,
      response: { 200: TokenList },
      detail: { tags, summary: "My personal access tokens (never their values)" },
    })
    .post("/tokens", async ({ actor, body, status }) => status(201, await createToken(ctx, actor, body)), {
      auth: true,
      body: CreateToken,
      response: { 201: TokenCreated },
      detail: { tags, summary: "Create a personal access token (shown once)" },
    })
    .delete("/tokens/:id", ({ actor, params }) => revokeToken(ctx, actor, params.id), {
      auth: true,
      params: TokenParams,
      response: { 200: TokenRevoked },
      detail: { tags, summary: "Revoke one of my access tokens" },
    });
