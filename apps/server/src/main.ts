import { createApp } from "./app";
import { buildContext } from "./boot";
import { ConfigError, loadConfig } from "./config";
import { KeyMismatchError } from "./keys";
import { issueSetupToken } from "./modules/auth/service";
import { startDynamicReaper } from "./workers/dynamic-reaper";
import { startLoop } from "./workers/loop";
import { startReaper } from "./workers/reaper";
import { startRetentionWorker } from "./workers/retention";

function fail(message: string): never {
  process.stderr.write(`gatehouse: ${message}\n`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  fail(e instanceof ConfigError ? e.message : String(e));
}

const ctx = await buildContext(config).catch((e: unknown) =>
  fail(e instanceof KeyMismatchError || e instanceof ConfigError ? e.message : `cannot start: ${String(e)}`),
);
const app = createApp(ctx).listen({
  hostname: config.host,
  port: config.port,
  maxRequestBodySize: config.maxBodySize,
});
const server = app.server ?? fail("the HTTP server did not start");

const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${server.port}`;
if (config.devMode) {
  process.stderr.write(
    [
      "",
      "==================================================================",
      "  GATEHOUSE DEV MODE: not for production use.",
      `  Master key kept in ${config.devKeyFile ?? "GATEHOUSE_MASTER_KEY"}`,
      "  Set GATEHOUSE_ENV=production and GATEHOUSE_MASTER_KEY(_FILE) for real use.",
      "==================================================================",
      "",
    ].join("\n"),
  );
}
const setupToken = await issueSetupToken(ctx);
if (setupToken) {
  // Printed once per boot while no user exists; the link creates the first admin in the browser.
  process.stderr.write(
    `\nNo users yet. Create the first admin at:\n  ${config.publicUrl ?? url}/setup?token=${setupToken}\n\n`,
  );
}
if (config.rootToken)
  process.stderr.write("WARNING: GATEHOUSE_ROOT_TOKEN is set; unset it once an admin exists.\n");
const retention = startRetentionWorker(ctx);
ctx.log.info("listening", {
  url,
  env: config.env,
  engine: ctx.store.dialect,
  key_fingerprint: ctx.keys.fingerprint,
});

const reaper = startReaper(ctx, { intervalMs: config.reaperIntervalMs });
const dynamicReaper = startDynamicReaper(ctx, { intervalMs: config.reaperIntervalMs });
const expiry = startLoop("approval expiry", () => ctx.approvals.expireStale(), 10_000, ctx.log);

// In-flight requests get this long to finish after SIGTERM (compose and systemd allow 30 s in all).
const SHUTDOWN_GRACE_MS = 20_000;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  ctx.log.info("shutting down", { signal });
  // Not ready any more; SSE streams get a final `event: end` and long polls answer with the request's
  // current state, so stop() below (no new connections, waits for in-flight requests) is not held up.
  ctx.lifecycle.beginShutdown();
  const drained = await Promise.race([
    server.stop().then(() => true),
    Bun.sleep(SHUTDOWN_GRACE_MS).then(() => false),
  ]);
  if (!drained) {
    ctx.log.warn("requests still running after the grace period; closing their connections");
    await server.stop(true);
  }
  // Upstream MCP servers (the gateway's child processes) end with the server.
  await ctx.gateway.shutdown();
  await retention.stop();
  await reaper.stop();
  await dynamicReaper.stop();
  await expiry.stop();
  // Every audit entry queued for group commit is written before the store closes.
  await ctx.audit.drain();
  await ctx.store.close();
  ctx.log.info("stopped", { signal });
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
