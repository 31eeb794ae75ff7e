import { t } from "elysia";

export const Credentials = t.Object({
  username: t.String({ minLength: 1, maxLength: 128 }),
  password: t.String({ minLength: 1, maxLength: 1024 }),
});
export const TotpStep = t.Object({
  totp_token: t.String({ minLength: 1, maxLength: 4096 }),
  code: t.String({ minLength: 1, maxLength: 32 }),
});
export const TokenSignIn = t.Object({ token: t.String({ minLength: 1, maxLength: 512 }) });
export const Setup = t.Object({
  setup_token: t.String({ minLength: 1, maxLength: 256 }),
  username: t.String({ minLength: 1, maxLength: 64 }),
  password: t.String({ minLength: 1, maxLength: 1024 }),
  display_name: t.Optional(t.String({ maxLength: 128 })),
  email: t.Optional(t.String({ maxLength: 254 })),
});
