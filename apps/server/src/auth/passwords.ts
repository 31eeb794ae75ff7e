import type { Config } from "../config";

export interface Passwords {
  hash(plain: string): Promise<string>;
  verify(plain: string, hash: string | null | undefined): Promise<boolean>;
}

/** Argon2id through Bun.password. An unknown account still costs one verification (no timing oracle). */
export function createPasswords(argon2: Config["argon2"]): Passwords {
  const opts = { algorithm: "argon2id" as const, memoryCost: argon2.memoryCost, timeCost: argon2.timeCost };
  let dummy: Promise<string> | undefined;
  return {
    hash: (plain) => Bun.password.hash(plain, opts),
    async verify(plain, hash) {
      if (!hash) {
        dummy ??= Bun.password.hash("gatehouse-dummy-password", opts);
        await Bun.password.verify(plain, await dummy).catch(() => false);
        return false;
      }
      return Bun.password.verify(plain, hash).catch(() => false);
    },
  };
}
