import { t } from "elysia";
import { PROVIDER_TYPES } from "./providers/types";

export const ProviderTypeSchema = t.Union(PROVIDER_TYPES.map((p) => t.Literal(p)));

const ConfigRecord = t.Record(t.String({ maxLength: 64 }), t.Unknown());

export const SaveBody = t.Object({
  path: t.String({ minLength: 1, maxLength: 256 }),
  provider_type: ProviderTypeSchema,
  config: ConfigRecord,
});

export const GenerateCaBody = t.Object({
  /** The ssh-cert configuration that keeps the private key (created, or replaced with `replace`). */
  path: t.String({ minLength: 1, maxLength: 256 }),
  config: t.Optional(ConfigRecord),
  replace: t.Optional(t.Boolean()),
});

// The range is checked in the service (400 ttl_out_of_range) before any provider is called.
export const CheckoutBody = t.Object({
  ttl: t.Optional(t.Integer()),
  reason: t.Optional(t.String({ maxLength: 500 })),
});

export const LeaseIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 128 }) });

const Flag = t.Optional(t.Union([t.Literal("true"), t.Literal("false")]));
export const PathQuery = t.Object({
  include_revoked: Flag,
  check: Flag,
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 1000 })),
});
