import { join } from "node:path";
import { createAuditWriter } from "./audit/writer";
import type { Config } from "./config";
import type { AppContext } from "./context";
import { openStore } from "./db/store";
import { loadKeys } from "./keys";
import { createLogger, type LogSink } from "./log";

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
    const keys = await loadKeys(store, config);
    const now = opts.now ?? Date.now;
    const audit = createAuditWriter({ store, key: keys.auditKey, log, now });
    return { config, store, keys, audit, log, startedAt: now(), now };
  } catch (e) {
    await store.close();
    throw e;
  }
}
