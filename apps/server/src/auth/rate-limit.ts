import { GatehouseError } from "@gatehouse/core";
import { eq, sql } from "drizzle-orm";
import type { Store } from "../db/store";

export interface LimitRule {
  /** Attempts allowed per window (failures, or every attempt when countSuccess). */
  limit: number;
  windowMs: number;
  countSuccess?: boolean;
}

export interface RateLimiter {
  /**
   * Reserves an attempt on every key (e.g. per IP and per account) or throws 429 with Retry-After.
   * In-flight attempts count against the limit, so a burst of slow Argon2 checks cannot slip through.
   */
  begin(keys: string[], rule: LimitRule): Promise<(outcome: "success" | "failure") => Promise<void>>;
}

export function createRateLimiter(store: Store, now: () => number): RateLimiter {
  const { rateLimits } = store.t;
  return {
    async begin(keys, rule) {
      const t = now();
      // Increment first, then check what the row now says: the upsert locks the row (PostgreSQL) or
      // runs under the single writer (SQLite), so concurrent attempts cannot all read a stale count.
      // A refusal throws, rolling back every increment of this attempt. Sorted keys: no lock cycles.
      await store.tx(async (tx) => {
        for (const key of [...keys].sort()) {
          const [row] = await tx
            .insert(rateLimits)
            .values({ key, windowStart: t, count: 0, inflight: 1 })
            .onConflictDoUpdate({
              target: rateLimits.key,
              set: {
                windowStart: sql`CASE WHEN ${rateLimits.windowStart} + ${rule.windowMs} <= ${t} THEN ${t} ELSE ${rateLimits.windowStart} END`,
                count: sql`CASE WHEN ${rateLimits.windowStart} + ${rule.windowMs} <= ${t} THEN 0 ELSE ${rateLimits.count} END`,
                inflight: sql`CASE WHEN ${rateLimits.windowStart} + ${rule.windowMs} <= ${t} THEN 1 ELSE ${rateLimits.inflight} + 1 END`,
              },
            })
            .returning();
          if (row && row.count + Math.max(row.inflight, 1) > rule.limit) {
            const retry = Math.max(1, Math.ceil((row.windowStart + rule.windowMs - t) / 1000));
            throw new GatehouseError("rate_limited", `Too many attempts; try again in ${retry} s`, {
              retry_after: retry,
            });
          }
        }
      });
      let done = false;
      return async (outcome) => {
        if (done) return;
        done = true;
        const counts = outcome === "failure" || rule.countSuccess ? 1 : 0;
        await store.tx(async (tx) => {
          for (const key of keys) {
            await tx
              .update(rateLimits)
              .set({
                inflight: sql`CASE WHEN ${rateLimits.inflight} > 0 THEN ${rateLimits.inflight} - 1 ELSE 0 END`,
                count: sql`${rateLimits.count} + ${counts}`,
              })
              .where(eq(rateLimits.key, key));
          }
        });
      };
    },
  };
}

/** Runs `fn` as one rate-limited attempt: a thrown error or `false` result counts as a failure. */
export async function limited<T>(
  limiter: RateLimiter,
  keys: string[],
  rule: LimitRule,
  fn: () => Promise<T>,
): Promise<T> {
  const finish = await limiter.begin(keys, rule);
  try {
    const result = await fn();
    await finish("success");
    return result;
  } catch (e) {
    await finish("failure");
    throw e;
  }
}
