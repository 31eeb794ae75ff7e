import type { ParsedCidr } from "@gatehouse/core/net";
import type { AuditWriter } from "./audit/writer";
import type { Jwt } from "./auth/jwt";
import type { Passwords } from "./auth/passwords";
import type { RateLimiter } from "./auth/rate-limit";
import type { Config } from "./config";
import type { Store } from "./db/store";
import type { EventBus } from "./events/bus";
import type { Notifier } from "./events/notifier";
import type { Keys } from "./keys";
import type { Logger } from "./log";
import type { ApprovalService } from "./modules/approvals/service";
import type { DynamicService } from "./modules/dynamic/service";
import type { Gateway } from "./modules/gateway/service";
import type { PolicyService } from "./modules/policies/service";
import type { ProxyNet } from "./modules/proxy/net";
import type { Lifecycle } from "./ops/lifecycle";
import type { Metrics } from "./ops/metrics";
import type { PolicyRegistry } from "./policies/registry";

/** Everything a module needs, built once at boot (or per test) and passed in; nothing reads env later. */
export interface AppContext {
  config: Config;
  store: Store;
  keys: Keys;
  audit: AuditWriter;
  log: Logger;
  jwt: Jwt;
  passwords: Passwords;
  limiter: RateLimiter;
  policies: PolicyRegistry;
  /** YAML + database policy management (reload, CRUD, simulate). */
  policyService: PolicyService;
  events: EventBus;
  notifier: Notifier;
  approvals: ApprovalService;
  /** Dynamic-secret configurations, leases and the providers that issue them. */
  dynamic: DynamicService;
  /** The MCP gateway: upstream servers, their tools in /v1/mcp, filters (stopped at shutdown). */
  gateway: Gateway;
  /** Proxies whose X-Forwarded-For is believed (loopback unless GATEHOUSE_TRUST_LOOPBACK=false, plus the list). */
  trustedProxies: ParsedCidr[];
  /** DNS, upstream trust anchors and size caps for the proxy (tests pass their own resolver and CA). */
  proxyNet: ProxyNet;
  startedAt: number;
  now: () => number;
  /** Readiness and graceful shutdown: long-lived responses end cleanly when shutdown begins. */
  lifecycle: Lifecycle;
  /** Prometheus counters and histograms (GET /metrics). */
  metrics: Metrics;
}
