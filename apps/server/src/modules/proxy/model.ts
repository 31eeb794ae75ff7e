import { t } from "elysia";

const HeaderMap = t.Record(t.String({ maxLength: 128 }), t.String({ maxLength: 8192 }), {
  maxProperties: 64,
});

/** Gatehouse's request format; `timeout` is in ms as before, now bounded (Gatehouse had no minimum). */
export const ProxyBody = t.Object({
  method: t.String({ minLength: 1, maxLength: 16 }),
  url: t.String({ minLength: 1, maxLength: 8192 }),
  headers: t.Optional(HeaderMap),
  body: t.Optional(t.Unknown()),
  inject: t.Optional(
    t.Record(t.String({ maxLength: 128 }), t.String({ minLength: 1, maxLength: 300 }), { maxProperties: 16 }),
  ),
  auto_inject: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 256 }), { maxItems: 10 })),
  // Checked in the service (an integer of ms within bounds) so every bad value names the field.
  timeout: t.Optional(t.Unknown()),
  reason: t.Optional(t.String({ maxLength: 500 })),
});

export const PatternsQuery = t.Object({
  secret: t.Optional(t.String({ minLength: 1, maxLength: 256 })),
  limit: t.Optional(t.Numeric({ minimum: 1, maximum: 1000 })),
});

export const PatternParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 64, pattern: "^ptn-[0-9a-f-]{36}$" }),
});
