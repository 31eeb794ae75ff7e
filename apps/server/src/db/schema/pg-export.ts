// drizzle-kit reads exported tables from this file to generate the PostgreSQL migrations.
// test/schema.test.ts checks that every table of schema/index.ts is exported here.
import { pgSchema } from "./pg";

export const {
  accessTokens,
  approles,
  approvalRequests,
  auditCheckpoints,
  auditLog,
  dynamicConfigs,
  dynamicLeases,
  grants,
  leases,
  links,
  mcpServers,
  mcpTools,
  meta,
  policies,
  proxyPatterns,
  rateLimits,
  secrets,
  secretVersions,
  sessions,
  users,
} = pgSchema;
