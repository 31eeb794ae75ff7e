// Accounts the suite creates. The first admin has TOTP (enrolled in first-run.setup.ts), so the
// other specs sign in as E2E_ADMIN, which that setup creates without a second factor.
export const FIRST_ADMIN = {
  username: "root",
  display_name: "Root Admin",
  email: "root@example.test",
  password: "correct horse battery staple",
} as const;

export const E2E_ADMIN = {
  username: "e2e-admin",
  display_name: "E2E Admin",
  password: "e2e admin password 42",
} as const;

/** A name no other test (or earlier run against a kept server) has used. */
export const unique = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
