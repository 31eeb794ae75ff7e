import { GatehouseError, invalid } from "@gatehouse/core";
import { eq } from "drizzle-orm";
import { type Actor, USER_ROLES, type UserRole } from "../../auth/actor";
import type { AppContext } from "../../context";
import { assertKeyringCurrent, getMeta, setMeta } from "../../keys";
import type { SsoSettingsInput } from "./model";

// The SSO settings live in two `meta` rows: the plain fields as JSON, and the client secret sealed
// under the master key (purpose "sso_client_secret", registered in db/encrypted.ts for rotation).
export const SETTINGS_KEY = "sso_settings";
export const SECRET_KEY = "sso_client_secret";
export const SECRET_CONTEXT = `meta:${SECRET_KEY}`;
export const CALLBACK_PATH = "/v1/auth/oidc/callback";
const DEFAULT_SCOPES = "openid email profile";

export interface SsoSettings {
  enabled: boolean;
  issuer: string;
  clientId: string;
  /** Plaintext, opened on demand; never leaves the server. */
  clientSecret: string;
  redirectUri: string;
  scopes: string;
  trustUnverifiedEmail: boolean;
  autoProvision: boolean;
  defaultRole: UserRole;
  /** False while only the GATEHOUSE_OAUTH_* variables configure SSO. */
  stored: boolean;
}

interface StoredSettings {
  enabled: boolean;
  issuer: string;
  client_id: string;
  redirect_uri: string;
  scopes: string;
  trust_unverified_email: boolean;
  auto_provision: boolean;
  default_role: UserRole;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "localhost"]);
const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The issuer must be https; plain http is accepted for a loopback IdP only (tests, a local dev IdP),
 * since the token request carries the client secret.
 */
export function checkIssuer(raw: string, field = "issuer"): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(field, "must be an absolute URL");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return url;
  throw invalid(field, "must use https (http is accepted for a loopback issuer only)");
}

export const isInsecureIssuer = (issuer: string) => issuer.startsWith("http:");

function checkRedirectUri(raw: string): string {
  if (raw === "") return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid("redirect_uri", "must be an absolute http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalid("redirect_uri", "must be an absolute http(s) URL");
  if (url.search || url.hash) throw invalid("redirect_uri", "must not carry a query or fragment");
  return url.href;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function normalizeScopes(raw: string | string[]): string {
  const list = (Array.isArray(raw) ? raw : raw.split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
  if (!list.includes("openid")) throw invalid("scopes", 'must include "openid"');
  for (const s of list) if (!SCOPE_TOKEN.test(s)) throw invalid("scopes", `"${s}" is not a valid scope`);
  return [...new Set(list)].join(" ");
}

function fromEnv(ctx: AppContext): SsoSettings {
  const o = ctx.config.oauth;
  return {
    enabled: Boolean(o.issuer && o.clientId),
    issuer: o.issuer ?? "",
    clientId: o.clientId ?? "",
    clientSecret: o.clientSecret ?? "",
    redirectUri: o.redirectUri ?? "",
    scopes: DEFAULT_SCOPES,
    trustUnverifiedEmail: false,
    autoProvision: false,
    defaultRole: "viewer",
    stored: false,
  };
}

/**
 * The settings in force: the stored ones once an admin has saved them, else the GATEHOUSE_OAUTH_*
 * variables. Read per request (a cheap row read) so every replica sees a change at once.
 */
export async function readSettings(ctx: AppContext, db = ctx.store.db): Promise<SsoSettings> {
  const raw = await getMeta(ctx.store, db, SETTINGS_KEY);
  if (!raw) return fromEnv(ctx);
  const s = JSON.parse(raw) as StoredSettings;
  const sealed = await getMeta(ctx.store, db, SECRET_KEY);
  return {
    enabled: s.enabled,
    issuer: s.issuer,
    clientId: s.client_id,
    clientSecret: sealed ? ctx.keys.open("sso_client_secret", SECRET_CONTEXT, sealed) : "",
    redirectUri: s.redirect_uri,
    scopes: s.scopes,
    trustUnverifiedEmail: s.trust_unverified_email,
    autoProvision: s.auto_provision,
    defaultRole: USER_ROLES.includes(s.default_role) ? s.default_role : "viewer",
    stored: true,
  };
}

/** SSO is offered when it is switched on and names an issuer and a client. */
export const isActive = (s: SsoSettings) => s.enabled && Boolean(s.issuer && s.clientId);

export async function ssoEnabled(ctx: AppContext): Promise<boolean> {
  return isActive(await readSettings(ctx));
}

/** The callback URL registered at the IdP: the setting, else derived from GATEHOUSE_PUBLIC_URL or the request. */
export function redirectUriFor(ctx: AppContext, s: SsoSettings, request?: Request): string {
  if (s.redirectUri) return s.redirectUri;
  if (ctx.config.publicUrl) return `${ctx.config.publicUrl}${CALLBACK_PATH}`;
  if (request) return `${new URL(request.url).origin}${CALLBACK_PATH}`;
  return "";
}

/** Gatehouse's shape: the secret blanked, `client_secret_set` beside it. */
export function publicSettings(ctx: AppContext, s: SsoSettings) {
  return {
    enabled: s.enabled,
    issuer: s.issuer,
    client_id: s.clientId,
    client_secret: "" as const,
    client_secret_set: s.clientSecret !== "",
    redirect_uri: redirectUriFor(ctx, s),
    scopes: s.scopes,
    trust_unverified_email: s.trustUnverifiedEmail,
    auto_provision: s.autoProvision,
    default_role: s.defaultRole,
  };
}

const auditBy = (actor: Actor) => ({
  identity: actor.identity,
  sourceIp: actor.ip,
  requestId: actor.requestId,
});

export async function authorizeSettings(ctx: AppContext, actor: Actor, action: string) {
  if (ctx.policies.isGlobalAdmin(actor)) return;
  await ctx.audit.append({ ...auditBy(actor), action, success: false, outcome: "denied" });
  throw new GatehouseError("forbidden", "This needs admin on ** (a global admin)");
}

/**
 * Merges the input into the settings in force and stores them. A blank client secret keeps the
 * stored one (or the variable's on the first save); `clear_client_secret` removes it.
 */
export async function updateSettings(ctx: AppContext, actor: Actor, input: SsoSettingsInput) {
  await authorizeSettings(ctx, actor, "settings.sso.update");
  const current = await readSettings(ctx);
  const next: StoredSettings = {
    enabled: input.enabled ?? current.enabled,
    issuer: (input.issuer ?? current.issuer).trim(),
    client_id: (input.client_id ?? current.clientId).trim(),
    redirect_uri: checkRedirectUri((input.redirect_uri ?? current.redirectUri).trim()),
    scopes: normalizeScopes(input.scopes ?? current.scopes),
    trust_unverified_email: input.trust_unverified_email ?? current.trustUnverifiedEmail,
    auto_provision: input.auto_provision ?? current.autoProvision,
    default_role: input.default_role ?? current.defaultRole,
  };
  if (next.issuer) checkIssuer(next.issuer);
  if (next.enabled && !next.issuer) throw invalid("issuer", "is required to enable single sign-on");
  if (next.enabled && !next.client_id) throw invalid("client_id", "is required to enable single sign-on");
  if (input.client_secret && input.clear_client_secret)
    throw invalid("clear_client_secret", "cannot be combined with a new client_secret");

  const newSecret = input.client_secret
    ? input.client_secret
    : input.clear_client_secret
      ? ""
      : current.clientSecret;
  const secretChanged = newSecret !== current.clientSecret;
  const before: Record<keyof StoredSettings, unknown> = {
    ...publicSettings(ctx, current),
    redirect_uri: current.redirectUri,
  };
  const changed = (Object.keys(next) as (keyof StoredSettings)[]).filter((k) => next[k] !== before[k]);

  const { meta } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    const sealed = newSecret ? ctx.keys.seal("sso_client_secret", SECRET_CONTEXT, newSecret) : null;
    await assertKeyringCurrent(ctx, tx, ...(sealed ? [sealed] : []));
    await setMeta(ctx.store, tx, SETTINGS_KEY, JSON.stringify(next));
    if (sealed) await setMeta(ctx.store, tx, SECRET_KEY, sealed);
    else await tx.delete(meta).where(eq(meta.key, SECRET_KEY));
    await ctx.audit.append(
      {
        ...auditBy(actor),
        action: "settings.sso.update",
        success: true,
        // Never the secret: only whether it changed.
        metadata: {
          changed,
          client_secret_changed: secretChanged,
          enabled: next.enabled,
          issuer: next.issuer,
          auto_provision: next.auto_provision,
          trust_unverified_email: next.trust_unverified_email,
          default_role: next.default_role,
        },
      },
      tx,
    );
  });
  return publicSettings(ctx, await readSettings(ctx));
}
