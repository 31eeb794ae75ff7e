import { GatehouseError, invalid } from "@gatehouse/core";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import { limited } from "../../auth/rate-limit";
import { checkTotp, newRecoveryCodes, newTotpSecret, totpUri } from "../../auth/totp";
import type { AppContext } from "../../context";
import { assertKeyringCurrent } from "../../keys";
import { auditBy, confirmPassword, loadMe, requireInteractive } from "./service";

const ISSUER = "Gatehouse";
const TOTP_LIMIT = { limit: 5, windowMs: 60_000 };
// The same context consumeSecondFactor opens with, so the pending secret moves to totpSecret as is.
const totpContext = (userId: string) => `totp:${userId}`;

const alreadyEnabled = () =>
  new GatehouseError("conflict", "Two-factor sign-in is already enabled; disable it first to enroll again");
const notEnabled = () => new GatehouseError("conflict", "Two-factor sign-in is not enabled");

/** Argon2id one code at a time (each hash takes its full memory cost), before any transaction opens. */
async function hashCodes(ctx: AppContext, codes: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of codes) out.push(await ctx.passwords.hash(c));
  return out;
}

export async function totpStatus(ctx: AppContext, actor: Actor) {
  const u = await loadMe(ctx, actor);
  return { enabled: u.totpSecret !== null, recovery_codes_remaining: u.recoveryCodes.length };
}

/** Starts enrollment: a new secret kept sealed as pending until a code from it is verified. */
export async function startTotpSetup(ctx: AppContext, actor: Actor) {
  const u = await loadMe(ctx, actor);
  requireInteractive(actor);
  if (u.totpSecret) throw alreadyEnabled();
  const secret = newTotpSecret();
  const uri = totpUri(secret, u.username);
  // Loaded on first use: idle memory.
  const { default: QRCode } = await import("qrcode");
  const qr = await QRCode.toDataURL(uri, { errorCorrectionLevel: "M", margin: 2, width: 240 });
  const sealed = ctx.keys.seal("totp", totpContext(u.id), secret);
  const { users } = ctx.store.t;
  const updated = await ctx.store.tx(async (tx) => {
    await assertKeyringCurrent(ctx, tx, sealed);
    return tx
      .update(users)
      .set({ totpPending: sealed, updatedAt: ctx.now() })
      .where(and(eq(users.id, u.id), isNull(users.totpSecret)))
      .returning({ id: users.id });
  });
  if (updated.length === 0) throw alreadyEnabled();
  return {
    secret,
    otpauth_uri: uri,
    qr_data_uri: qr,
    issuer: ISSUER,
    account: u.username,
    algorithm: "SHA1" as const,
    digits: 6 as const,
    period: 30 as const,
  };
}

/** Finishes enrollment with a code from the pending secret; its time step counts as used. */
export async function verifyTotpSetup(ctx: AppContext, actor: Actor, code: string) {
  const u = await loadMe(ctx, actor);
  requireInteractive(actor);
  if (u.totpSecret) throw alreadyEnabled();
  const pending = u.totpPending;
  if (!pending)
    throw new GatehouseError("conflict", "No enrollment in progress; start with POST /v1/me/totp/setup");
  const step = await limited(
    ctx.limiter,
    [`totp:ip:${actor.ip}`, `totp:user:${u.id}`],
    TOTP_LIMIT,
    async () => {
      const secret = ctx.keys.open("totp", totpContext(u.id), pending);
      const s = checkTotp(secret, code.trim(), 0, ctx.now());
      if (s === null) throw invalid("code", "does not match; check the authenticator app and its clock");
      return s;
    },
  );
  const codes = newRecoveryCodes();
  const hashes = await hashCodes(ctx, codes);
  const { users } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    await assertKeyringCurrent(ctx, tx, pending);
    const done = await tx
      .update(users)
      .set({
        totpSecret: pending,
        totpPending: null,
        totpLastStep: Math.max(step, u.totpLastStep),
        recoveryCodes: hashes,
        updatedAt: ctx.now(),
      })
      .where(and(eq(users.id, u.id), isNull(users.totpSecret), eq(users.totpPending, pending)))
      .returning({ id: users.id });
    if (done.length === 0) throw new GatehouseError("conflict", "Enrollment changed meanwhile; start again");
    await ctx.audit.append({ ...auditBy(actor), action: "user.totp.enable", success: true }, tx);
  });
  return { enabled: true as const, recovery_codes: codes };
}

export async function disableTotp(ctx: AppContext, actor: Actor, password: string) {
  const u = await loadMe(ctx, actor);
  requireInteractive(actor);
  if (!u.totpSecret) throw notEnabled();
  await confirmPassword(ctx, actor, u, password, "password", "user.totp.disable");
  const { users } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    await tx
      .update(users)
      .set({ totpSecret: null, totpPending: null, recoveryCodes: [], updatedAt: ctx.now() })
      .where(eq(users.id, u.id));
    await ctx.audit.append({ ...auditBy(actor), action: "user.totp.disable", success: true }, tx);
  });
  return { disabled: true as const };
}

export async function regenerateRecoveryCodes(ctx: AppContext, actor: Actor, password: string) {
  const u = await loadMe(ctx, actor);
  requireInteractive(actor);
  if (!u.totpSecret) throw notEnabled();
  await confirmPassword(ctx, actor, u, password, "password", "user.totp.recovery_regenerate");
  const codes = newRecoveryCodes();
  const hashes = await hashCodes(ctx, codes);
  const { users } = ctx.store.t;
  await ctx.store.tx(async (tx) => {
    const done = await tx
      .update(users)
      .set({ recoveryCodes: hashes, updatedAt: ctx.now() })
      .where(and(eq(users.id, u.id), isNotNull(users.totpSecret)))
      .returning({ id: users.id });
    if (done.length === 0) throw notEnabled();
    await ctx.audit.append(
      {
        ...auditBy(actor),
        action: "user.totp.recovery_regenerate",
        success: true,
        metadata: { count: codes.length },
      },
      tx,
    );
  });
  return { recovery_codes: codes };
}
