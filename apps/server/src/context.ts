import type { AuditWriter } from "./audit/writer";
import type { Config } from "./config";
import type { Store } from "./db/store";
import type { Keys } from "./keys";
import type { Logger } from "./log";

/** Everything a module needs, built once at boot (or per test) and passed in; nothing reads env later. */
export interface AppContext {
  config: Config;
  store: Store;
  keys: Keys;
  audit: AuditWriter;
  log: Logger;
  startedAt: number;
  now: () => number;
}
