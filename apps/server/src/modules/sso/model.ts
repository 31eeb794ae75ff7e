import { t } from "elysia";

const Role = t.Union([t.Literal("admin"), t.Literal("approver"), t.Literal("viewer")]);

/** POST /v1/settings/sso: every field optional, merged with the settings in force. */
export const SsoSettingsInput = t.Object({
  enabled: t.Optional(t.Boolean()),
  issuer: t.Optional(t.String({ maxLength: 2048 })),
  client_id: t.Optional(t.String({ maxLength: 512 })),
  /** Blank keeps the stored secret. */
  client_secret: t.Optional(t.String({ maxLength: 4096 })),
  clear_client_secret: t.Optional(t.Boolean()),
  redirect_uri: t.Optional(t.String({ maxLength: 2048 })),
  scopes: t.Optional(
    t.Union([t.String({ maxLength: 1024 }), t.Array(t.String({ maxLength: 256 }), { maxItems: 32 })]),
  ),
  trust_unverified_email: t.Optional(t.Boolean()),
  auto_provision: t.Optional(t.Boolean()),
  default_role: t.Optional(Role),
});
export type SsoSettingsInput = typeof SsoSettingsInput.static;

export const SsoSettingsView = t.Object({
  enabled: t.Boolean(),
  issuer: t.String(),
  client_id: t.String(),
  client_secret: t.Literal(""),
  client_secret_set: t.Boolean(),
  redirect_uri: t.String(),
  scopes: t.String(),
  trust_unverified_email: t.Boolean(),
  auto_provision: t.Boolean(),
  default_role: Role,
});

/** POST /v1/settings/sso/test: an issuer from the form, or the stored one when omitted. */
export const SsoTestInput = t.Optional(
  t.Object({
    issuer: t.Optional(t.String({ maxLength: 2048 })),
  }),
);

export const SsoTestResult = t.Object({
  ok: t.Boolean(),
  error: t.Optional(t.String()),
  issuer: t.Optional(t.String()),
  authorization_endpoint: t.Optional(t.String()),
  token_endpoint: t.Optional(t.String()),
  userinfo_endpoint: t.Optional(t.String()),
  end_session_endpoint: t.Optional(t.String()),
  pkce_s256: t.Optional(t.Boolean()),
});

export const LogoutResult = t.Object({
  signed_out: t.Boolean(),
  end_session_url: t.Union([t.String(), t.Null()]),
});
