// drizzle-kit reads exported tables from this file to generate the PostgreSQL migrations.
// A test checks that every table of schema/index.ts is exported here.
import { pgSchema } from "./pg";

export const {
  accessTokens,
  approles,
  auditCheckpoints,
  auditLog,
  links,
  meta,
  policies,
  rateLimits,
  sessions,
  users,
} = pgSchema;
