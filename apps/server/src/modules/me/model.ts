import { t } from "elysia";
import { PublicUser } from "../users/model";

export const Profile = t.Object({ user: PublicUser, session_count: t.Number() });

export const ChangePassword = t.Object({
  current_password: t.String({ minLength: 1, maxLength: 1024 }),
  new_password: t.String({ minLength: 1, maxLength: 1024 }),
});
export type ChangePassword = typeof ChangePassword.static;
export const PasswordChanged = t.Object({ updated: t.Literal(true), sessions_ended: t.Number() });

export const TotpStatus = t.Object({ enabled: t.Boolean(), recovery_codes_remaining: t.Number() });
export const TotpSetup = t.Object({
  secret: t.String(),
  otpauth_uri: t.String(),
  qr_data_uri: t.String(),
  issuer: t.String(),
  account: t.String(),
  algorithm: t.Literal("SHA1"),
  digits: t.Literal(6),
  period: t.Literal(30),
});
export const TotpCode = t.Object({ code: t.String({ minLength: 1, maxLength: 32 }) });
export const PasswordConfirm = t.Object({ password: t.String({ minLength: 1, maxLength: 1024 }) });
export const RecoveryCodes = t.Object({ recovery_codes: t.Array(t.String()) });
export const TotpEnabled = t.Object({ enabled: t.Literal(true), recovery_codes: t.Array(t.String()) });
export const TotpDisabled = t.Object({ disabled: t.Literal(true) });

export const CreateToken = t.Object({
  name: t.String({ minLength: 1, maxLength: 64 }),
  expires_in_days: t.Optional(t.Integer({ minimum: 1, maximum: 365 })),
});
export type CreateToken = typeof CreateToken.static;
export const TokenCreated = t.Object({
  id: t.String(),
  name: t.String(),
  token: t.String(),
  expires_at: t.Nullable(t.String()),
});
export const TokenInfo = t.Object({
  id: t.String(),
  name: t.String(),
  created_at: t.String(),
  expires_at: t.Nullable(t.String()),
  last_used_at: t.Nullable(t.String()),
  revoked_at: t.Nullable(t.String()),
  status: t.Union([t.Literal("active"), t.Literal("expired"), t.Literal("revoked")]),
});
export const TokenList = t.Object({ tokens: t.Array(TokenInfo) });
export const TokenParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 64, pattern: "^pat-[0-9a-f-]+$" }),
});
export const TokenRevoked = t.Object({ revoked: t.Literal(true) });
