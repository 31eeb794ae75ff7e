import { t } from "elysia";

const DisplayName = t.String({ minLength: 1, maxLength: 128 });
const Policies = t.Array(t.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 64 });
const IpAllowlist = t.Array(t.String({ minLength: 1, maxLength: 64 }), { maxItems: 256 });
const TokenTtl = t.Integer({ minimum: 60, maximum: 86400 });

export const RoleIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });

export const AppRoleLogin = t.Object({
  role_id: t.String({ minLength: 1, maxLength: 128 }),
  secret_id: t.String({ minLength: 1, maxLength: 256 }),
});
export type AppRoleLogin = typeof AppRoleLogin.static;

export const CreateAppRole = t.Object({
  display_name: DisplayName,
  policies: Policies,
  ip_allowlist: t.Optional(IpAllowlist),
  token_ttl_seconds: t.Optional(TokenTtl),
});
export type CreateAppRole = typeof CreateAppRole.static;

export const UpdateAppRole = t.Object({
  display_name: t.Optional(DisplayName),
  policies: t.Optional(Policies),
  ip_allowlist: t.Optional(IpAllowlist),
  token_ttl_seconds: t.Optional(TokenTtl),
});
export type UpdateAppRole = typeof UpdateAppRole.static;

export const SuspendAppRole = t.Object({ suspended: t.Boolean() });

/** What leaves the server about an AppRole: never the secret_id hash or its generation. */
export const AppRoleView = t.Object({
  role_id: t.String(),
  display_name: t.String(),
  policies: t.Array(t.String()),
  suspended: t.Boolean(),
  created_at: t.String(),
  updated_at: t.String(),
  last_used: t.Nullable(t.String()),
  ip_allowlist: t.Array(t.String()),
  token_ttl_seconds: t.Integer(),
});
export type AppRoleView = typeof AppRoleView.static;

export const AppRoleList = t.Object({ roles: t.Array(AppRoleView) });

/** The secret_id is shown here once and never again. */
export const CreatedAppRole = t.Object({
  role_id: t.String(),
  secret_id: t.String(),
  display_name: t.String(),
  policies: t.Array(t.String()),
  ip_allowlist: t.Array(t.String()),
  token_ttl_seconds: t.Integer(),
});

export const RotatedSecret = t.Object({ role_id: t.String(), secret_id: t.String() });
export const DeletedAppRole = t.Object({ role_id: t.String(), deleted: t.Boolean() });

export const AppRoleToken = t.Object({
  token: t.String(),
  identity: t.String(),
  policies: t.Array(t.String()),
  expires_in: t.Integer(),
});
