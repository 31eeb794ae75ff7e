import { t } from "elysia";

const Name = t.String({ minLength: 1, maxLength: 64, pattern: "^[a-zA-Z0-9_-]+$" });
// Rules are validated by core's parser (field paths in its messages); here only their size is bounded.
const Rules = t.Array(t.Record(t.String({ maxLength: 64 }), t.Unknown()), { maxItems: 1000 });

export const PolicyName = t.Object({ name: Name });
export const CreatePolicy = t.Object({
  name: Name,
  description: t.Optional(t.String({ maxLength: 500 })),
  rules: Rules,
});
export const UpdatePolicy = t.Object({ description: t.Optional(t.String({ maxLength: 500 })), rules: Rules });
export const ValidatePolicy = t.Object({
  document: t.Union([t.String({ maxLength: 262144 }), t.Record(t.String(), t.Unknown())]),
});
export const Simulate = t.Object({
  approle: t.Optional(t.String({ minLength: 1, maxLength: 128 })),
  user: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  identity: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  policies: t.Optional(t.Array(Name, { maxItems: 200 })),
  capability: t.String({ minLength: 1, maxLength: 16 }),
  path: t.String({ minLength: 1, maxLength: 512 }),
  ip: t.Optional(t.String({ maxLength: 64 })),
});
