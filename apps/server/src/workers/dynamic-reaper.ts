import type { AppContext } from "../context";
import { startLoop, type Worker } from "./loop";

export const DYNAMIC_REAPER_INTERVAL_MS = 5_000;

/**
 * Revokes expired dynamic leases on their engines, retries failed revokes with backoff, and finishes
 * or cleans `creating` rows left by a crash (`ctx.dynamic.reapOnce`, rows claimed with SKIP LOCKED on
 * PostgreSQL). A pass never overlaps the previous one.
 */
export function startDynamicReaper(
  ctx: Pick<AppContext, "dynamic" | "log">,
  opts: { intervalMs?: number; batch?: number } = {},
): Worker {
  return startLoop(
    "dynamic lease reaper",
    () => ctx.dynamic.reapOnce(opts.batch),
    opts.intervalMs ?? DYNAMIC_REAPER_INTERVAL_MS,
    ctx.log,
  );
}
