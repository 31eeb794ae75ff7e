import { t } from "elysia";

// Shapes only; the service checks the rest (names, paths, references, modes) with field-named errors.

const StringMap = t.Record(t.String({ maxLength: 128 }), t.String());

export const ServerBody = t.Object({
  name: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  transport: t.Optional(t.Union([t.Literal("stdio"), t.Literal("http")])),
  description: t.Optional(t.Union([t.String({ maxLength: 500 }), t.Null()])),
  command: t.Optional(t.String({ minLength: 1, maxLength: 1024 })),
  args: t.Optional(t.Array(t.String({ maxLength: 4096 }), { maxItems: 64 })),
  env: t.Optional(StringMap),
  url: t.Optional(t.String({ minLength: 1, maxLength: 2048 })),
  headers: t.Optional(StringMap),
  read_only_paths: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 1024 }), { maxItems: 32 })),
  network: t.Optional(t.Boolean()),
  timeout_seconds: t.Optional(t.Integer()),
  enabled: t.Optional(t.Boolean()),
  filters: t.Optional(t.Union([t.Record(t.String(), t.Unknown()), t.Null()])),
});

export const CreateServerBody = t.Composite([
  t.Omit(ServerBody, ["name", "transport"]),
  t.Object({
    name: t.String({ minLength: 1, maxLength: 64 }),
    transport: t.Union([t.Literal("stdio"), t.Literal("http")]),
  }),
]);

export const ToolBody = t.Object({
  hidden: t.Optional(t.Boolean()),
  rename: t.Optional(t.Union([t.String({ minLength: 1, maxLength: 64 }), t.Null()])),
  description: t.Optional(t.Union([t.String({ maxLength: 4000 }), t.Null()])),
});

export const FiltersBody = t.Record(t.String(), t.Unknown());

export const NameParams = t.Object({ name: t.String({ minLength: 1, maxLength: 64 }) });
export const ToolParams = t.Object({
  name: t.String({ minLength: 1, maxLength: 64 }),
  tool: t.String({ minLength: 1, maxLength: 128 }),
});
export const CallsQuery = t.Object({ limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500 })) });
