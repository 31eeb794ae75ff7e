import { randomInt } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import { and, eq, lt } from "drizzle-orm";
import type { AppContext } from "../context";

// RFC 6238: SHA1, 6 digits, 30 s; one step of clock drift either way.
const PERIOD = 30;

const RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const RECOVERY_CODE_COUNT = 10;

type Otplib = typeof import("otplib");
// Loaded on first use (with require, as these helpers are synchronous): idle memory.
let otplib: Otplib | undefined;
const otp = (): Otplib => (otplib ??= require("otplib") as Otplib);

export const newTotpSecret = (): string => otp().generateSecret();
export const totpUri = (secret: string, account: string): string =>
  otp().generateURI({
    issuer: "Gatehouse",
    label: account,
    secret,
    period: PERIOD,
    digits: 6,
    algorithm: "sha1",
  });
/** For tests and the CLI: the code a correct authenticator shows at `nowMs`. */
export const totpCode = (secret: string, nowMs: number): string =>
  otp().generateSync({ secret, epoch: Math.floor(nowMs / 1000) });

export function checkTotp(secret: string, code: string, afterStep: number, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const r = otp().verifySync({
      secret,
      token: code,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: PERIOD,
      afterTimeStep: afterStep > 0 ? afterStep : undefined,
    });
    return r.valid && "timeStep" in r ? (r.timeStep as number) : null;
  } catch {
    return null;
  }
}

export function newRecoveryCodes(): string[] {
  const one = () =>
    Array.from({ length: 8 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join("");
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const c = one();
    return `${c.slice(0, 4)}-${c.slice(4)}`;
  });
}

export const normalizeRecoveryCode = (code: string): string | null => {
  const c = code.toUpperCase().replace(/[\s-]/g, "");
  return /^[A-Z2-9]{8}$/.test(c) ? `${c.slice(0, 4)}-${c.slice(4)}` : null;
};

type UserRow = AppContext["store"]["t"]["users"]["$inferSelect"];

/**
 * Checks a second factor: a 6-digit TOTP code (refused when its time step was already used) or a
 * recovery code (consumed). Both updates are conditional, so two concurrent uses cannot both win.
 */
export async function consumeSecondFactor(
  ctx: AppContext,
  user: UserRow,
  code: string,
): Promise<{ recoveryConsumed: boolean }> {
  const { users } = ctx.store.t;
  const bad = () => new GatehouseError("unauthorized", "The code is wrong, expired or already used");
  if (!user.totpSecret) throw bad();
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) {
    const secret = ctx.keys.open("totp", `totp:${user.id}`, user.totpSecret);
    const step = checkTotp(secret, trimmed, user.totpLastStep, ctx.now());
    if (step === null) throw bad();
    const updated = await ctx.store.tx((tx) =>
      tx
        .update(users)
        .set({ totpLastStep: step })
        .where(and(eq(users.id, user.id), lt(users.totpLastStep, step)))
        .returning({ id: users.id }),
    );
    if (updated.length === 0) throw bad();
    return { recoveryConsumed: false };
  }
  const normalized = normalizeRecoveryCode(trimmed);
  if (!normalized) throw bad();
  for (const hash of user.recoveryCodes) {
    if (!(await ctx.passwords.verify(normalized, hash))) continue;
    const won = await ctx.store.tx(async (tx) => {
      const [fresh] = await tx
        .select({ codes: users.recoveryCodes })
        .from(users)
        .where(eq(users.id, user.id));
      if (!fresh?.codes.includes(hash)) return false;
      await tx
        .update(users)
        .set({ recoveryCodes: fresh.codes.filter((h) => h !== hash), updatedAt: ctx.now() })
        .where(eq(users.id, user.id));
      return true;
    });
    if (!won) throw bad();
    return { recoveryConsumed: true };
  }
  throw bad();
}
