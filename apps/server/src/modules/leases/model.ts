import { t } from "elysia";

export const MIN_TTL_S = 10;
export const MAX_TTL_S = 86_400;
export const DEFAULT_TTL_S = 300;

// The range is checked in the service so an out-of-range TTL answers 400 ttl_out_of_range.
export const LeaseBody = t.Object({
  ttl: t.Optional(t.Integer()),
  // Shown to the approver when the rule requires approval.
  reason: t.Optional(t.String({ maxLength: 500 })),
});
export type LeaseBody = typeof LeaseBody.static;

export const LeaseIdParams = t.Object({ leaseId: t.String({ minLength: 1, maxLength: 128 }) });

export const ListLeasesQuery = t.Object({
  include_expired: t.Optional(t.Union([t.Literal("true"), t.Literal("false")])),
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 1000 })),
});

export const LeaseView = t.Object({
  id: t.String(),
  secret_path: t.String(),
  identity: t.String(),
  ttl_seconds: t.Number(),
  created_at: t.String(),
  expires_at: t.String(),
  revoked: t.Boolean(),
});
export type LeaseView = typeof LeaseView.static;

export const Checkout = t.Object({ lease: LeaseView, value: t.String() });
export const Renewed = t.Object({ lease: LeaseView });

export const LeaseListItem = t.Object({
  id: t.String(),
  kind: t.Union([t.Literal("static"), t.Literal("dynamic")]),
  path: t.String(),
  identity: t.String(),
  ttl_seconds: t.Number(),
  created_at: t.String(),
  expires_at: t.String(),
  expires_in: t.Number(),
  revoked: t.Boolean(),
  revoked_at: t.Nullable(t.String()),
  revoke_reason: t.Nullable(t.String()),
  // Dynamic leases only: the provider, the lifecycle status (revoke_failed is retried) and its last error.
  provider_type: t.Optional(t.String()),
  status: t.Optional(t.String()),
  last_error: t.Optional(t.Nullable(t.String())),
});
export type LeaseListItem = typeof LeaseListItem.static;
export const LeaseList = t.Object({ leases: t.Array(LeaseListItem) });

export const LeaseRevoked = t.Object({ revoked: t.Literal(true), id: t.String() });
