import { t } from "elysia";

export const Role = t.Union([t.Literal("admin"), t.Literal("approver"), t.Literal("viewer")]);
const PolicyNames = t.Array(t.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 });

/** The allowlist of what leaves the server about a user (see `publicUser`). */
export const PublicUser = t.Object({
  id: t.String(),
  username: t.String(),
  display_name: t.String(),
  email: t.Nullable(t.String()),
  role: Role,
  policies: t.Array(t.String()),
  enabled: t.Boolean(),
  totp_enabled: t.Boolean(),
  recovery_codes_remaining: t.Number(),
  auth_source: t.String(),
  created_at: t.String(),
  last_login_at: t.Nullable(t.String()),
});

export const UsernameParams = t.Object({
  username: t.String({ minLength: 2, maxLength: 64, pattern: "^[a-zA-Z0-9._-]+$" }),
});

export const CreateUserInput = t.Object({
  username: t.String({ minLength: 2, maxLength: 64 }),
  password: t.String({ minLength: 1, maxLength: 1024 }),
  display_name: t.Optional(t.String({ maxLength: 128 })),
  email: t.Optional(t.String({ maxLength: 254 })),
  role: t.Optional(Role),
  policies: t.Optional(PolicyNames),
});
export type CreateUserInput = typeof CreateUserInput.static;

export const UpdateUserInput = t.Object({
  display_name: t.Optional(t.String({ maxLength: 128 })),
  email: t.Optional(t.Nullable(t.String({ maxLength: 254 }))),
  password: t.Optional(t.String({ minLength: 1, maxLength: 1024 })),
  enabled: t.Optional(t.Boolean()),
  role: t.Optional(Role),
  policies: t.Optional(PolicyNames),
  reset_totp: t.Optional(t.Boolean()),
});
export type UpdateUserInput = typeof UpdateUserInput.static;

export const UserList = t.Object({ users: t.Array(PublicUser) });
export const UserUpdated = t.Object({ updated: t.Literal(true), user: PublicUser });
export const UserDeleted = t.Object({ deleted: t.Literal(true) });
