// drizzle-kit reads exported tables from this file to generate the PostgreSQL migrations.
import { pgSchema } from "./pg";

export const { auditLog, auditCheckpoints, meta } = pgSchema;
