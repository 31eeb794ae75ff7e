import { t } from "elysia";

export type LinkKind = "onboard" | "rotate";

export const CreateLink = t.Object({
  role_id: t.String({ minLength: 1, maxLength: 64 }),
  ttl_seconds: t.Optional(t.Integer({ minimum: 60, maximum: 3600 })),
  label: t.Optional(t.String({ maxLength: 200 })),
});
export type CreateLink = typeof CreateLink.static;

export const ListLinksQuery = t.Object({
  role_id: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  include_consumed: t.Optional(t.Boolean()),
});
export type ListLinksQuery = typeof ListLinksQuery.static;

// Link ids and link tokens share a path position; ids always carry their kind's prefix.
export const OnboardIdParams = t.Object({ id: t.String({ pattern: "^onboard-[0-9a-f-]{36}$" }) });
export const TokenParams = t.Object({ token: t.String({ minLength: 16, maxLength: 128 }) });

const LinkBase = {
  id: t.String(),
  token: t.String(),
  expires_at: t.String(),
  role_display_name: t.String(),
  policies: t.Array(t.String()),
};
export const CreatedOnboardLink = t.Object({ ...LinkBase, onboard_url: t.String() });
export const CreatedRotateLink = t.Object({ ...LinkBase, rotate_url: t.String() });

export const LinkStatus = t.Union([
  t.Literal("active"),
  t.Literal("consumed"),
  t.Literal("expired"),
  t.Literal("revoked"),
]);
export type LinkStatus = typeof LinkStatus.static;

/** A listed link never includes its token: only the hash is stored. */
export const LinkView = t.Object({
  id: t.String(),
  role_id: t.String(),
  role_display_name: t.String(),
  label: t.Nullable(t.String()),
  status: LinkStatus,
  created_by: t.String(),
  created_at: t.String(),
  expires_at: t.String(),
  consumed_at: t.Nullable(t.String()),
});
export type LinkView = typeof LinkView.static;
export const LinkList = t.Object({ tokens: t.Array(LinkView) });
export const RevokedLink = t.Object({ id: t.String(), revoked: t.Boolean() });

export const OnboardExchanged = t.Object({
  token: t.String(),
  identity: t.String(),
  policies: t.Array(t.String()),
  expires_in: t.Integer(),
  role_id: t.String(),
  secret_id: t.String(),
  base_url: t.String(),
  mcp_url: t.String(),
  role_display_name: t.String(),
});
export const RotateExchanged = t.Object({
  role_id: t.String(),
  secret_id: t.String(),
  base_url: t.String(),
  role_display_name: t.String(),
});
