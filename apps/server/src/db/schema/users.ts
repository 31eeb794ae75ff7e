import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  displayName: text("display_name").notNull(),
  email: text("email"),
  passwordHash: text("password_hash"),
  role: text("role").notNull(),
  policies: text("policies", { mode: "json" }).$type<string[]>().notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  // Sealed (purpose "totp"); null until enrollment is verified. The pending one lives beside it.
  totpSecret: text("totp_secret"),
  totpPending: text("totp_pending"),
  // Highest TOTP time step accepted so far: a code at or below it is a replay.
  totpLastStep: integer("totp_last_step").notNull(),
  recoveryCodes: text("recovery_codes", { mode: "json" }).$type<string[]>().notNull(),
  // Bumped by "sign out everywhere", disable and password change: older tokens stop verifying.
  tokenVersion: integer("token_version").notNull(),
  authSource: text("auth_source").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  lastLoginAt: integer("last_login_at"),
});

export const sessions = sqliteTable(
  "sessions",
  {
    // sha256 of the cookie value; the value itself is never stored.
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // No CSRF column: a session's token is derived from its id (auth/csrf.ts).
    authMethod: text("auth_method").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const accessTokens = sqliteTable(
  "access_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("access_tokens_user_idx").on(t.userId)],
);
