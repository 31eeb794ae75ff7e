// Operations the `gatehouse` CLI runs on the vault's host, directly against the database (the server
// may be running): lock-out recovery. Kept here so the CLI needs no query code of its own.
import { eq, sql } from "drizzle-orm";
import type { AuditEntry } from "../audit/writer";
import type { Db, Store } from "../db/store";

export class HostError extends Error {}

/** Records an audit entry inside `tx` (the caller's writer, keyed like the server's). */
export type Record = (entry: Omit<AuditEntry, "identity">, tx: Db) => Promise<void>;

/**
 * Turns a user's TOTP off (secret, pending enrollment, recovery codes), ends their sessions and tokens,
 * optionally re-enables the account; audited as `user.totp.reset` in the same transaction.
 */
export async function resetTotp(
  store: Store,
  record: Record,
  username: string,
  opts: { enable?: boolean; now?: number } = {},
) {
  const { users, sessions } = store.t;
  return store.tx(async (tx) => {
    const [u] = await tx.select().from(users).where(eq(users.username, username));
    if (!u) throw new HostError(`no user named "${username}"`);
    const ended = await tx.delete(sessions).where(eq(sessions.userId, u.id)).returning({ id: sessions.id });
    await tx
      .update(users)
      .set({
        totpSecret: null,
        totpPending: null,
        recoveryCodes: [],
        ...(opts.enable ? { enabled: true } : {}),
        tokenVersion: sql`${users.tokenVersion} + 1`,
        updatedAt: opts.now ?? Date.now(),
      })
      .where(eq(users.id, u.id));
    await record(
      {
        action: "user.totp.reset",
        path: `user:${u.username}`,
        success: true,
        metadata: { reason: "host recovery", sessions_ended: ended.length, re_enabled: opts.enable === true },
      },
      tx,
    );
    return {
      username: u.username,
      had_totp: u.totpSecret !== null,
      sessions_ended: ended.length,
      enabled: opts.enable ? true : u.enabled,
    };
  });
}
