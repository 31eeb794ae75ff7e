import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/pg-export.ts",
  out: "./drizzle/pg",
  strict: true,
});
