import { join } from "node:path";
import { defaultTrustedProxies } from "@gatehouse/core/net";
import { createAuditWriter } from "./audit/writer";
import { createJwt } from "./auth/jwt";
import { createPasswords } from "./auth/passwords";
import { createRateLimiter } from "./auth/rate-limit";
import type { Config } from "./config";
import type { AppContext } from "./context";
import { openStore } from "./db/store";
import { bridgeEvents } from "./events/bridge";
import { createEventBus } from "./events/bus";
import { createNotifier } from "./events/notifier";
import { loadKeys } from "./keys";
import { createLogger, type LogSink } from "./log";
import { createApprovalService } from "./modules/approvals/service";
import { createProviderRegistry } from "./modules/dynamic/providers";
import type { DynamicProvider, ProviderType } from "./modules/dynamic/providers/types";
import { createDynamicService } from "./modules/dynamic/service";
import { createGateway, type GatewayOptions } from "./modules/gateway/service";
import { createPolicyService } from "./modules/policies/service";
import { defaultProxyNet, type ProxyNet } from "./modules/proxy/net";
import { createLifecycle } from "./ops/lifecycle";
import { createMetrics } from "./ops/metrics";
import { createPolicyRegistry } from "./policies/registry";

/** Opens the store, runs migrations, checks the master key and wires the services. */
export async function buildContext(
  config: Config,
  opts: {
    logSink?: LogSink;
    now?: () => number;
    proxyNet?: Partial<ProxyNet>;
    /** Replacement providers (tests: MongoDB over a driver fake). */
    dynamicProviders?: Partial<Record<ProviderType, DynamicProvider>>;
    /** Gateway timings (tests shorten the restart backoff). */
    gateway?: GatewayOptions;
  } = {},
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
    const metrics = createMetrics();
    const ctx: AppContext = {
      config,
      store,
      keys,
      log,
      now,
      policies,
      audit: createAuditWriter({ store, key: keys.auditKey, log, now, metrics }),
      jwt: createJwt(keys.jwtKey, now),
      passwords: createPasswords(config.argon2),
      limiter: createRateLimiter(store, now),
      trustedProxies: defaultTrustedProxies(config.trustLoopback, config.trustedProxies),
      proxyNet: defaultProxyNet(opts.proxyNet),
      startedAt: now(),
      policyService: undefined as unknown as AppContext["policyService"],
      approvals: undefined as unknown as AppContext["approvals"],
      dynamic: undefined as unknown as AppContext["dynamic"],
      gateway: undefined as unknown as AppContext["gateway"],
      events: createEventBus((e) => log.warn("event listener failed", { error_message: String(e) })),
      notifier: createNotifier({
        url: config.notify.url,
        format: config.notify.format,
        publicUrl: config.publicUrl,
        log,
      }),
      lifecycle: createLifecycle((e) => log.warn("shutdown hook failed", { error_message: String(e) })),
      metrics,
    };
    ctx.policyService = createPolicyService(ctx);
    ctx.approvals = createApprovalService(ctx);
    ctx.dynamic = createDynamicService(ctx, createProviderRegistry(opts.dynamicProviders));
    ctx.gateway = createGateway(ctx, opts.gateway);
    // The live audit tail, and lease changes derived from it: both only after the entry committed.
    ctx.audit.subscribe((row) => {
      const timestamp = () => new Date(row.ts).toISOString();
      const metadata = () => (row.metadata ? JSON.parse(row.metadata) : null);
      // Built when read (a /v1/events subscriber, another replica): most entries have no audience.
      let data: Record<string, unknown> | undefined;
      ctx.events.publish({
        type: "audit",
        identity: row.identity,
        get data() {
          data ??= { ...row, timestamp: timestamp(), metadata: metadata() };
          return data;
        },
      });
      if (row.leaseId && /^(lease|dynamic)\./.test(row.action)) {
        // The reaper acts as system:reaper; the lease's holder is who should see the change.
        const meta = metadata();
        const owner = typeof meta?.lease_identity === "string" ? meta.lease_identity : row.identity;
        const lease = {
          action: row.action,
          lease_id: row.leaseId,
          path: row.path,
          identity: owner,
          timestamp: timestamp(),
        };
        ctx.events.publish({ type: "lease", identity: owner, data: lease });
      }
    });
    await ctx.policyService.reload();
    // Replicas: live events and policy reloads reach every server sharing the database.
    await bridgeEvents(store, ctx.events, log);
    ctx.events.subscribe((e, origin) => {
      if (origin !== "remote") return;
      if (e.type === "policy_reload")
        ctx.policyService
          .reload()
          .catch((err: unknown) => log.error("policy reload failed", { error_message: String(err) }));
      if (e.type === "keyring")
        log.warn("another replica rotated the master key; restart this one with the new key", e.data);
    });
    return ctx;
  } catch (e) {
    await store.close();
    throw e;
  }
}
