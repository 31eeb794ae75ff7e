import { join } from "node:path";
import { defaultTrustedProxies } from "@gatehouse/core/net";
import { createAuditWriter } from "./audit/writer";
import { createJwt } from "./auth/jwt";
import { createPasswords } from "./auth/passwords";
import { createRateLimiter } from "./auth/rate-limit";
import type { Config } from "./config";
import type { AppContext } from "./context";
import { openStore } from "./db/store";
import { createEventBus } from "./events/bus";
import { createNotifier } from "./events/notifier";
import { loadKeys } from "./keys";
import { createLogger, type LogSink } from "./log";
import { createApprovalService } from "./modules/approvals/service";
import { createPolicyService } from "./modules/policies/service";
import { createPolicyRegistry } from "./policies/registry";

/** Opens the store, runs migrations, checks the master key and wires the services. */
export async function buildContext(
  config: Config,
  opts: { logSink?: LogSink; now?: () => number } = {},
): Promise<AppContext> {
  const log = createLogger(config.logLevel, opts.logSink);
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    sqlitePath: join(config.dataDir, "gatehouse.db"),
    sqliteSync: config.sqliteSync,
  });
  try {
    const keys = await loadKeys(store, config, log);
    const now = opts.now ?? Date.now;
    const policies = createPolicyRegistry(store);
    const ctx: AppContext = {
      config,
      store,
      keys,
      log,
      now,
      policies,
      audit: createAuditWriter({ store, key: keys.auditKey, log, now }),
      jwt: createJwt(keys.jwtKey, now),
      passwords: createPasswords(config.argon2),
      limiter: createRateLimiter(store, now),
      trustedProxies: defaultTrustedProxies(config.trustLoopback, config.trustedProxies),
      startedAt: now(),
      policyService: undefined as unknown as AppContext["policyService"],
      approvals: undefined as unknown as AppContext["approvals"],
      events: createEventBus((e) => log.warn("event listener failed", { error_message: String(e) })),
      notifier: createNotifier({
        url: config.notify.url,
        format: config.notify.format,
        publicUrl: config.publicUrl,
        log,
      }),
    };
    ctx.policyService = createPolicyService(ctx);
    ctx.approvals = createApprovalService(ctx);
    // The live audit tail: every committed entry goes to the subscribers allowed to see it.
    ctx.audit.subscribe((row) =>
      ctx.events.publish({
        type: "audit",
        identity: row.identity,
        data: {
          ...row,
          timestamp: new Date(row.ts).toISOString(),
          metadata: row.metadata ? JSON.parse(row.metadata) : null,
        },
      }),
    );
    await ctx.policyService.reload();
    return ctx;
  } catch (e) {
    await store.close();
    throw e;
  }
}
