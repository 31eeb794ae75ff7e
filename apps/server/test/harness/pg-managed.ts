import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import postgres from "postgres";

// A database in the harness PostgreSQL cluster for the PostgreSQL provider to manage. The cluster
// trusts every local login; for this database pg_hba.conf requires a password (scram-sha-256), so a
// credential that logs in really had the right password. The provider connects as a dedicated
// superuser with a password.

export interface ManagedPg {
  database: string;
  admin: { user: string; password: string };
  port: number;
  /** The provider config for this database (grants etc. added by the test). */
  config(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Connects to the database as `user`; the caller ends it. */
  connectAs(user: string, password: string): postgres.Sql;
  /** An outage for new connections (`ALLOW_CONNECTIONS false`); open sessions stay. */
  allowConnections(allow: boolean): Promise<void>;
  /** Runs SQL as the provider's superuser in the managed database. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

const hbaLines = (db: string) => [
  `host ${db} all 127.0.0.1/32 scram-sha-256 # gatehouse-test ${db}`,
  `host ${db} all ::1/128 scram-sha-256 # gatehouse-test ${db}`,
];

export async function managedPgDatabase(baseUrl: string, prefix: string): Promise<ManagedPg> {
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const database = `${prefix}_${suffix}`;
  const adminUser = `dynadmin_${suffix}`;
  const adminPassword = randomBytes(12).toString("hex");
  const url = new URL(baseUrl);
  const port = Number(url.port || 5432);
  const root = postgres(baseUrl.replace(/\/[^/]*$/, "/postgres"), { max: 1, onnotice: () => {} });
  await root.unsafe(`CREATE DATABASE ${database}`);
  await root.unsafe(`CREATE ROLE ${adminUser} LOGIN SUPERUSER PASSWORD '${adminPassword}'`);
  const [{ hba_file: hbaFile } = { hba_file: "" }] = await root<{ hba_file: string }[]>`SHOW hba_file`;
  const original = readFileSync(hbaFile, "utf8");
  writeFileSync(hbaFile, `${hbaLines(database).join("\n")}\n${original}`);
  await root`SELECT pg_reload_conf()`;

  const connectAs = (user: string, password: string) =>
    postgres({
      host: "127.0.0.1",
      port,
      database,
      username: user,
      password,
      max: 1,
      onnotice: () => {},
      connect_timeout: 5,
    });
  // The reload is asynchronous: wait until a wrong password is refused.
  for (let i = 0; ; i++) {
    const probe = connectAs(adminUser, "wrong-password");
    const refused = await probe`SELECT 1`.then(
      () => false,
      () => true,
    );
    await probe.end();
    if (refused) break;
    if (i > 100) throw new Error("pg_hba.conf reload did not take effect");
    await Bun.sleep(50);
  }
  const sql = connectAs(adminUser, adminPassword);
  return {
    database,
    admin: { user: adminUser, password: adminPassword },
    port,
    config: (extra = {}) => ({
      host: "127.0.0.1",
      port,
      database,
      user: adminUser,
      password: adminPassword,
      ...extra,
    }),
    connectAs,
    sql,
    async allowConnections(allow) {
      await root.unsafe(`ALTER DATABASE ${database} ALLOW_CONNECTIONS ${allow}`);
    },
    async close() {
      await sql.end();
      const current = readFileSync(hbaFile, "utf8");
      writeFileSync(
        hbaFile,
        current
          .split("\n")
          .filter((l) => !l.endsWith(`# gatehouse-test ${database}`))
          .join("\n"),
      );
      await root`SELECT pg_reload_conf()`;
      await root`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${database}`;
      await root.unsafe(`DROP DATABASE IF EXISTS ${database}`);
      await root.unsafe(`DROP ROLE IF EXISTS ${adminUser}`);
      await root.end();
    },
  };
}
