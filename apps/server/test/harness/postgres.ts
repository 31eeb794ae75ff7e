import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openStore } from "../../src/db/store";

// A throwaway PostgreSQL cluster on a free loopback port. PostgreSQL refuses to run as root,
// so as root the cluster runs as the `postgres` system user through runuser.

export const TEMPLATE_DB = "gatehouse_template";

export interface PgCluster {
  url(db?: string): string;
  stop(): void;
}

function binDir(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(base, v, "bin", "pg_ctl"))) return join(base, v, "bin");
  throw new Error("PostgreSQL server binaries not found: apt-get install -y postgresql");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      s.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

const isRoot = () => process.getuid?.() === 0;

function run(cmd: string, args: string[]) {
  const full = isRoot() ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  const r = spawnSync(full[0] as string, full[1] as string[], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
}

/**
 * `stopWithProcess`: a detached watchdog stops the cluster and removes its directory once this
 * process has exited (bun's test runner does not emit process "exit", so a hook there never runs).
 */
export async function startPostgres(opts: { stopWithProcess?: boolean } = {}): Promise<PgCluster> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "gh-pg-"));
  if (isRoot()) {
    chmodSync(dir, 0o777);
    spawnSync("chown", ["postgres:postgres", dir]);
  }
  const data = join(dir, "data");
  const port = await freePort();
  run(join(bin, "initdb"), ["-D", data, "-U", "gatehouse", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  run(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
    "start",
  ]);
  if (opts.stopWithProcess) {
    const pgCtl = `${join(bin, "pg_ctl")} -D ${data} -m immediate stop`;
    const stop = isRoot() ? `runuser -u postgres -- ${pgCtl}` : pgCtl;
    Bun.spawn(
      ["sh", "-c", `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop}; rm -rf ${dir}`],
      { stdin: "ignore", stdout: "ignore", stderr: "ignore" },
    ).unref();
  }
  const url = (db = "postgres") => `postgres://gatehouse@127.0.0.1:${port}/${db}`;
  const admin = postgres(url(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const store = await openStore({ databaseUrl: url(TEMPLATE_DB), poolSize: 1 });
  await store.close();
  return {
    url,
    stop() {
      try {
        run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let counter = 0;
/** A fresh database cloned from the migrated template; the cluster comes from the test runner or is started here. */
export async function cloneDatabase(baseUrl: string): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = postgres(baseUrl.replace(/\/[^/]*$/, "/postgres"), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  return baseUrl.replace(/\/[^/]*$/, `/${name}`);
}
