import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import mysql from "mysql2/promise";
import { freePort } from "./postgres";

// A throwaway MariaDB server: a temp datadir from mariadb-install-db, mariadbd with an explicit
// --user, a free loopback port and a socket in the temp dir. Root connects over the socket; the
// providers under test get an admin user over TCP on 127.0.0.1.

export const MARIADB_ADMIN = "dynadmin";

export interface MariaDb {
  port: number;
  adminPassword: string;
  /** Runs SQL as root over the socket. */
  query<T = mysql.RowDataPacket[]>(sql: string, params?: unknown[]): Promise<T>;
  /** Stops the server (its data stays) and starts it again on the same port: an outage. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const isRoot = () => process.getuid?.() === 0;

export async function startMariaDb(adminPassword: string): Promise<MariaDb> {
  const dir = mkdtempSync(join(tmpdir(), "gh-maria-"));
  const user = isRoot() ? "mysql" : userInfo().username;
  if (isRoot()) spawnSync("chown", ["-R", "mysql:mysql", dir]);
  const data = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const install = spawnSync(
    "mariadb-install-db",
    [
      "--no-defaults",
      `--user=${user}`,
      `--datadir=${data}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
    ],
    { encoding: "utf8" },
  );
  if (install.status !== 0) {
    throw new Error(
      `mariadb-install-db failed (apt-get install -y mariadb-server): ${install.stderr || install.stdout}`,
    );
  }
  const port = await freePort();
  const args = [
    "/usr/sbin/mariadbd",
    "--no-defaults",
    `--user=${user}`,
    `--datadir=${data}`,
    `--socket=${socket}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    `--pid-file=${join(dir, "mariadbd.pid")}`,
    `--log-error=${join(dir, "error.log")}`,
    "--skip-name-resolve",
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=8M",
    "--performance-schema=OFF",
    "--max-connections=200",
  ];
  let proc: Subprocess | undefined;

  const rootConn = () => mysql.createConnection({ socketPath: socket, user: "root", password: "" });

  async function start() {
    proc = Bun.spawn(args, { stdout: "ignore", stderr: "ignore", stdin: "ignore" });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const c = await rootConn();
        await c.end();
        return;
      } catch (e) {
        if (proc.exitCode !== null || Date.now() > deadline) {
          let log = "";
          try {
            log = readFileSync(join(dir, "error.log"), "utf8").slice(-2000);
          } catch {}
          throw new Error(`mariadbd did not start: ${String(e)}\n${log}`);
        }
        await Bun.sleep(100);
      }
    }
  }

  async function stop() {
    if (!proc || proc.exitCode !== null) return;
    proc.kill("SIGTERM");
    await proc.exited;
  }

  async function query<T>(sql: string, params: unknown[] = []): Promise<T> {
    const c = await rootConn();
    try {
      const [rows] = await c.query(sql, params);
      return rows as T;
    } finally {
      await c.end();
    }
  }

  await start();
  await query("CREATE USER ?@'127.0.0.1' IDENTIFIED BY ?", [MARIADB_ADMIN, adminPassword]);
  await query("GRANT ALL PRIVILEGES ON *.* TO ?@'127.0.0.1' WITH GRANT OPTION", [MARIADB_ADMIN]);
  return {
    port,
    adminPassword,
    query,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
