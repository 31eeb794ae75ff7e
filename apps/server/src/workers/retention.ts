import type { AppContext } from "../context";
import { purgeAudit } from "../modules/audit/service";
import { startLoop, type Worker } from "./loop";

const HOUR_MS = 3_600_000;

/**
 * Purges audit entries older than the retention every `intervalMs` (hourly). Each purge runs under
 * the chain lock, so with replicas the others find nothing left; an empty pass writes no entry.
 */
export function startRetentionWorker(ctx: AppContext, opts: { intervalMs?: number } = {}): Worker {
  const purge = async () =>
    (await purgeAudit(ctx, { identity: "system:retention" }, { reason: "retention", auditWhenEmpty: false }))
      .purged;
  return startLoop("audit retention purge", purge, opts.intervalMs ?? HOUR_MS, ctx.log);
}
