// Builds the SPA if needed, then runs `bun apps/server/src/main.ts` in development mode on a
// fresh data directory and waits for /health. The returned function is the global teardown.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE_URL, E2E_PORT, REPO_ROOT } from "./env";

const STARTUP_TIMEOUT_MS = 30_000;

export default async function globalSetup(): Promise<() => Promise<void>> {
  buildWebIfMissing();
  await assertPortFree(E2E_PORT);

  const root = mkdtempSync(join(tmpdir(), "gatehouse-e2e-"));
  const dataDir = join(root, "data");
  const configDir = join(root, "config");
  mkdirSync(dataDir);
  mkdirSync(configDir);
  // Tests that exercise YAML policy files write them here, then reload.
  process.env.GATEHOUSE_E2E_CONFIG_DIR = configDir;
  const logPath = join(root, "server.log");
  const log = createWriteStream(logPath);

  const server = spawn("bun", ["apps/server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...inheritedEnv(),
      GATEHOUSE_ENV: "development",
      GATEHOUSE_PORT: String(E2E_PORT),
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_CONFIG_DIR: configDir,
      ...(WEB_DIST ? { GATEHOUSE_WEB_DIST: WEB_DIST } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [server.stdout, server.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
      // The first-run setup link, for tests that create the first admin.
      const setup = /\/setup\?token=[\w.~-]+/.exec(output);
      if (setup) process.env.GATEHOUSE_E2E_SETUP_PATH = setup[0];
    });
  }

  try {
    await waitForHealth(server);
  } catch (error) {
    server.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n--- server output (${logPath}) ---\n${output}`);
  }

  return async () => {
    await stop(server);
    log.end();
    if (process.env.GATEHOUSE_E2E_KEEP !== "1") rmSync(root, { recursive: true, force: true });
  };
}

// GATEHOUSE_E2E_WEB_DIST serves a build of your own (e.g. `vite build --outDir /tmp/web`), so a
// concurrent rebuild of apps/web/dist cannot swap the assets under a running suite.
const WEB_DIST = process.env.GATEHOUSE_E2E_WEB_DIST;

function buildWebIfMissing(): void {
  if (WEB_DIST) {
    if (!existsSync(join(WEB_DIST, "index.html")))
      throw new Error(`GATEHOUSE_E2E_WEB_DIST=${WEB_DIST} holds no build`);
    return;
  }
  if (existsSync(join(REPO_ROOT, "apps/web/dist/index.html"))) return;
  const build = spawnSync("bun", ["run", "build"], { cwd: join(REPO_ROOT, "apps/web"), stdio: "inherit" });
  if (build.status !== 0) throw new Error("apps/web build failed");
}

/** The developer's GATEHOUSE_* settings (a PostgreSQL URL, a root token) must not leak in. */
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("GATEHOUSE_")));
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", () =>
      reject(new Error(`Port ${port} is busy; set GATEHOUSE_E2E_PORT to a free port for the e2e server`)),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
}

async function waitForHealth(server: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`The server exited with code ${server.exitCode}`);
    try {
      const response = await fetch(`${BASE_URL}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The server did not answer ${BASE_URL}/health within ${STARTUP_TIMEOUT_MS / 1000}s`);
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
