import { and, asc, inArray, isNull, lte } from "drizzle-orm";
import type { AppContext } from "../context";
import { startLoop, type Worker } from "./loop";

export const REAPER_INTERVAL_MS = 5_000;
const BATCH = 200;
const IDENTITY = "system:reaper";

type ReaperContext = Pick<AppContext, "store" | "audit" | "log" | "now">;

/**
 * Marks expired leases revoked, one `lease.reap` entry each. Times are integer ms, compared as
 * numbers; rows are claimed (SKIP LOCKED on PostgreSQL) so with replicas each lease is reaped once.
 */
export async function reapExpiredLeases(ctx: ReaperContext, batch = BATCH): Promise<number> {
  const { leases } = ctx.store.t;
  let total = 0;
  for (;;) {
    const n = await ctx.store.tx(async (tx) => {
      const now = ctx.now();
      const due = await ctx.store.claim(
        tx
          .select({ id: leases.id })
          .from(leases)
          .where(and(isNull(leases.revokedAt), lte(leases.expiresAt, now)))
          .orderBy(asc(leases.expiresAt))
          .limit(batch),
      );
      if (due.length === 0) return { claimed: 0, reaped: 0 };
      // Only rows this pass actually flipped are audited, so a lease is reaped once even without the claim.
      const reaped = await tx
        .update(leases)
        .set({ revokedAt: now, revokeReason: "expired" })
        .where(
          and(
            inArray(
              leases.id,
              due.map((l) => l.id),
            ),
            isNull(leases.revokedAt),
          ),
        )
        .returning({
          id: leases.id,
          path: leases.path,
          identity: leases.identity,
          expiresAt: leases.expiresAt,
        });
      for (const l of reaped) {
        await ctx.audit.append(
          {
            identity: IDENTITY,
            action: "lease.reap",
            path: l.path,
            leaseId: l.id,
            success: true,
            metadata: { lease_identity: l.identity, expired_at: new Date(l.expiresAt).toISOString() },
          },
          tx,
        );
      }
      return { claimed: due.length, reaped: reaped.length };
    });
    total += n.reaped;
    if (n.claimed < batch) return total;
  }
}

export type Reaper = Worker;

/** Runs a pass every `intervalMs`; a pass never overlaps the previous one. */
export function startReaper(ctx: ReaperContext, opts: { intervalMs?: number; batch?: number } = {}): Reaper {
  return startLoop(
    "lease reaper",
    () => reapExpiredLeases(ctx, opts.batch),
    opts.intervalMs ?? REAPER_INTERVAL_MS,
    ctx.log,
  );
}
