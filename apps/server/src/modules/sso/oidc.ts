import { hkdfSync } from "node:crypto";
import { sha256Hex, timingSafeEqualStr } from "@gatehouse/core/crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import type { Configuration } from "openid-client";
import type { AppContext } from "../../context";
import { checkIssuer, isInsecureIssuer, type SsoSettings } from "./settings";

/** Stable reasons an SSO sign-in fails; the browser only ever sees one of these in `/signin?error=`. */
export type SsoErrorCode =
  | "invalid_state"
  | "access_denied"
  | "idp_error"
  | "idp_unavailable"
  | "email_missing"
  | "email_not_verified"
  | "ambiguous_email"
  | "no_account"
  | "account_disabled"
  | "rate_limited"
  | "sso_failed";

export class SsoFailure extends Error {
  constructor(
    readonly code: SsoErrorCode,
    readonly reason: string,
    readonly extra: { username?: string; email?: string } = {},
  ) {
    super(reason);
  }
}

const DISCOVERY_TTL_MS = 10 * 60_000;
const HTTP_TIMEOUT_S = 10;

// One cached discovery per (issuer, client, secret); a settings change makes a new key.
const cache = new Map<string, { at: number; config: Promise<Configuration> }>();

type Oidc = typeof import("openid-client");
// Loaded on first use: idle memory.
let oidcModule: Promise<Oidc> | undefined;
const loadOidc = () => (oidcModule ??= import("openid-client"));

function clientAuth(oidc: Oidc, secret: string, methods: string[] | undefined) {
  const { ClientSecretBasic, ClientSecretPost, None } = oidc;
  if (!secret) return None();
  // RFC 6749 makes client_secret_basic the default; use POST only when the IdP says basic is not supported.
  if (methods && !methods.includes("client_secret_basic") && methods.includes("client_secret_post"))
    return ClientSecretPost(secret);
  return ClientSecretBasic(secret);
}

async function discover(issuer: string, clientId: string, secret: string): Promise<Configuration> {
  const url = checkIssuer(issuer);
  const oidc = await loadOidc();
  const { allowInsecureRequests, Configuration, discovery } = oidc;
  const execute = isInsecureIssuer(issuer) ? [allowInsecureRequests] : [];
  let config = await discovery(url, clientId, secret || undefined, clientAuth(oidc, secret, undefined), {
    execute,
    timeout: HTTP_TIMEOUT_S,
  });
  const methods = config.serverMetadata().token_endpoint_auth_methods_supported;
  if (secret && methods && !methods.includes("client_secret_basic")) {
    config = new Configuration(config.serverMetadata(), clientId, secret, clientAuth(oidc, secret, methods));
    for (const fn of execute) fn(config);
    config.timeout = HTTP_TIMEOUT_S;
  }
  return config;
}

/** The IdP's configuration (discovery document and client), cached for ten minutes per setting. */
export function configurationFor(s: SsoSettings, now: number, fresh = false): Promise<Configuration> {
  const key = `${s.issuer}\n${s.clientId}\n${sha256Hex(s.clientSecret)}`;
  const hit = cache.get(key);
  if (hit && !fresh && now - hit.at < DISCOVERY_TTL_MS) return hit.config;
  for (const [k, v] of cache) if (now - v.at >= DISCOVERY_TTL_MS) cache.delete(k);
  const config = discover(s.issuer, s.clientId, s.clientSecret);
  cache.set(key, { at: now, config });
  // A failed discovery is not cached: the next sign-in tries again.
  config.catch(() => {
    if (cache.get(key)?.config === config) cache.delete(key);
  });
  return config;
}

/** Discovery only, uncached, for the settings page's "test configuration" button. */
export async function testDiscovery(issuer: string) {
  try {
    const config = await discover(issuer, "gatehouse-settings-test", "");
    const m = config.serverMetadata();
    return {
      ok: true,
      issuer: m.issuer,
      authorization_endpoint: m.authorization_endpoint,
      token_endpoint: m.token_endpoint,
      userinfo_endpoint: m.userinfo_endpoint,
      end_session_endpoint: m.end_session_endpoint,
      pkce_s256: m.code_challenge_methods_supported?.includes("S256") ?? false,
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

// The login-state cookie: state, nonce and PKCE verifier, encrypted (JWE dir + A256GCM) under a key
// derived from the shared JWT key, so any replica can read it and nobody can forge or read it.
export const STATE_COOKIE = "gh_oidc";
const STATE_TTL_S = 600;

interface LoginState {
  state: string;
  nonce: string;
  verifier: string;
  redirect_uri: string;
  issuer: string;
  client_id: string;
}

const stateKey = (ctx: AppContext) =>
  new Uint8Array(hkdfSync("sha256", ctx.keys.jwtKey, "gatehouse/v1", "gatehouse/v1/oidc-state", 32));

async function sealState(ctx: AppContext, s: LoginState): Promise<string> {
  const iat = Math.floor(ctx.now() / 1000);
  return new EncryptJWT({ ...s })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + STATE_TTL_S)
    .encrypt(stateKey(ctx));
}

async function openState(ctx: AppContext, cookie: string | undefined): Promise<LoginState> {
  if (!cookie)
    throw new SsoFailure("invalid_state", "the login-state cookie is missing (expired or another tab)");
  try {
    const { payload } = await jwtDecrypt(cookie, stateKey(ctx), {
      currentDate: new Date(ctx.now()),
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    const p = payload as Partial<LoginState>;
    for (const k of ["state", "nonce", "verifier", "redirect_uri", "issuer", "client_id"] as const) {
      if (typeof p[k] !== "string") throw new Error(`missing ${k}`);
    }
    return p as LoginState;
  } catch {
    throw new SsoFailure("invalid_state", "the login-state cookie is invalid or expired");
  }
}

export const secureFor = (ctx: AppContext, request: Request, redirectUri: string) =>
  redirectUri.startsWith("https:") ||
  request.url.startsWith("https:") ||
  Boolean(ctx.config.publicUrl?.startsWith("https:"));

/** SameSite=Lax: a Strict cookie would not come back on the top-level redirect from the IdP. */
export const stateCookie = (value: string, secure: boolean) =>
  `${STATE_COOKIE}=${value}; Path=/v1/auth; HttpOnly; SameSite=Lax; Max-Age=${STATE_TTL_S}${secure ? "; Secure" : ""}`;

export const clearedStateCookie = (secure: boolean) =>
  `${STATE_COOKIE}=; Path=/v1/auth; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;

/** Starts a sign-in: the IdP's authorization URL and the state cookie that must come back with it. */
export async function beginLogin(ctx: AppContext, s: SsoSettings, request: Request, redirectUri: string) {
  let config: Configuration;
  try {
    config = await configurationFor(s, ctx.now());
  } catch (e) {
    throw new SsoFailure(
      "idp_unavailable",
      `discovery failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const {
    buildAuthorizationUrl,
    calculatePKCECodeChallenge,
    randomNonce,
    randomPKCECodeVerifier,
    randomState,
  } = await loadOidc();
  const verifier = randomPKCECodeVerifier();
  const state = randomState();
  const nonce = randomNonce();
  const url = buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: s.scopes,
    response_type: "code",
    code_challenge: await calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const sealed = await sealState(ctx, {
    state,
    nonce,
    verifier,
    redirect_uri: redirectUri,
    issuer: s.issuer,
    client_id: s.clientId,
  });
  return { url: url.href, cookie: stateCookie(sealed, secureFor(ctx, request, redirectUri)) };
}

export interface IdentityClaims {
  sub: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  preferredUsername?: string;
}

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/**
 * Completes a sign-in: checks the state against the cookie, exchanges the code (PKCE verifier),
 * validates the ID token (signature, issuer, audience, expiry, nonce) and reads the email, from
 * the ID token or else the UserInfo endpoint.
 */
export async function completeLogin(
  ctx: AppContext,
  s: SsoSettings,
  request: Request,
  cookie: string | undefined,
): Promise<IdentityClaims> {
  const login = await openState(ctx, cookie);
  const params = new URL(request.url).searchParams;
  const returned = params.get("state") ?? "";
  if (!timingSafeEqualStr(returned, login.state))
    throw new SsoFailure("invalid_state", "the state parameter does not match the login-state cookie");
  if (login.issuer !== s.issuer || login.client_id !== s.clientId)
    throw new SsoFailure("invalid_state", "the SSO settings changed during the sign-in");

  let config: Configuration;
  try {
    config = await configurationFor(s, ctx.now());
  } catch (e) {
    throw new SsoFailure(
      "idp_unavailable",
      `discovery failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  // The redirect URI sent to the token endpoint must be the one the IdP redirected to, not the URL this
  // server sees behind a proxy (or the alias route).
  const current = new URL(login.redirect_uri);
  for (const [k, v] of params) current.searchParams.append(k, v);

  const { AuthorizationResponseError, authorizationCodeGrant, fetchUserInfo, ResponseBodyError } =
    await loadOidc();
  let tokens: Awaited<ReturnType<typeof authorizationCodeGrant>>;
  try {
    tokens = await authorizationCodeGrant(config, current, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
  } catch (e) {
    if (e instanceof AuthorizationResponseError) {
      const code = e.error === "access_denied" ? "access_denied" : "idp_error";
      throw new SsoFailure(code, `the IdP returned ${e.error}: ${e.error_description ?? ""}`.trim());
    }
    if (e instanceof ResponseBodyError)
      throw new SsoFailure(
        "sso_failed",
        `the token endpoint answered ${e.error}: ${e.error_description ?? ""}`.trim(),
      );
    throw new SsoFailure("sso_failed", `code exchange failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const claims = tokens.claims();
  if (!claims) throw new SsoFailure("sso_failed", "the token response has no ID token");
  let email = str(claims.email);
  let verified: unknown = claims.email_verified;
  let name = str(claims.name);
  let preferredUsername = str(claims.preferred_username);
  if ((!email || verified === undefined) && config.serverMetadata().userinfo_endpoint) {
    try {
      const info = await fetchUserInfo(config, tokens.access_token, claims.sub);
      email = str(info.email) ?? email;
      verified = info.email_verified ?? verified;
      name ??= str(info.name);
      preferredUsername ??= str(info.preferred_username);
    } catch (e) {
      throw new SsoFailure("sso_failed", `userinfo failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return {
    sub: claims.sub,
    email,
    // Some IdPs send the string "true".
    emailVerified: verified === true || verified === "true",
    name,
    preferredUsername,
  };
}

/** The IdP's end-session URL (RP-initiated logout), when discovery advertises one. */
export async function endSessionUrl(ctx: AppContext, s: SsoSettings): Promise<string | null> {
  try {
    const config = await configurationFor(s, ctx.now());
    if (!config.serverMetadata().end_session_endpoint) return null;
    return (await loadOidc()).buildEndSessionUrl(config).href;
  } catch {
    return null;
  }
}
