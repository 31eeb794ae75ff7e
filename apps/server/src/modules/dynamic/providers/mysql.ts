import { invalid } from "@gatehouse/core";
import type mysql from "mysql2/promise";
import { checkServerConfig, databaseFields, guarded, issuedLogin } from "./common";
import {
  assertUsername,
  checkGrants,
  checkIdentifier,
  checkRange,
  type DynamicProvider,
  type FieldSpec,
  int,
  type ProviderConfig,
  ProviderError,
  SSL_FIELDS,
  str,
  tlsOptions,
} from "./types";

export const MYSQL_GRANTS = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "INDEX",
  "ALTER",
  "CREATE TEMPORARY TABLES",
  "LOCK TABLES",
  "EXECUTE",
  "CREATE VIEW",
  "SHOW VIEW",
  "CREATE ROUTINE",
  "ALTER ROUTINE",
  "EVENT",
  "TRIGGER",
  "REFERENCES",
  "ALL PRIVILEGES",
] as const;

/** MySQL's user-name limit (MariaDB allows 80; the lower one works on both). */
export const MYSQL_MAX_USERNAME = 32;

const FIELDS: readonly FieldSpec[] = [
  ...databaseFields(3306, {
    database: "Database the grants apply to (`db`.*)",
    user: "Admin user with CREATE USER and GRANT OPTION",
  }),
  {
    name: "grants",
    type: "list",
    default: ["SELECT"],
    description: `Database privileges, from ${MYSQL_GRANTS.join(", ")}`,
  },
  {
    name: "allowed_host",
    type: "string",
    default: "%",
    description: "Host pattern the issued user may connect from ('%', '10.0.0.%', 'app.example.com')",
  },
  {
    name: "max_connections",
    type: "integer",
    default: 5,
    description: "MAX_USER_CONNECTIONS of each issued user (0: server default)",
  },
  ...SSL_FIELDS,
];

// Letters, digits, '.', '-', '_', ':' and the '%' wildcard: no quotes, no spaces.
const HOST_PATTERN = /^[A-Za-z0-9.%_:-]{1,60}$/;

type Conn = mysql.Connection;

async function connect<T>(c: ProviderConfig, fn: (conn: Conn) => Promise<T>, step: string): Promise<T> {
  let conn: Conn | undefined;
  return guarded(
    `mysql ${step}`,
    async () => {
      const tls = tlsOptions(c);
      // Loaded on first use: the driver costs ~20 MB of memory at boot otherwise.
      const { createConnection } = await import("mysql2/promise");
      conn = await createConnection({
        host: str(c, "host"),
        port: int(c, "port", 3306),
        user: str(c, "user"),
        password: str(c, "password"),
        connectTimeout: 5_000,
        multipleStatements: false,
        ...(tls ? { ssl: tls } : {}),
      });
      return fn(conn);
    },
    () => conn?.end().catch(() => conn?.destroy()),
  );
}

const errno = (e: unknown) => (e as { errno?: number }).errno;

async function dropUser(conn: Conn, username: string): Promise<void> {
  const [hosts] = await conn.query<mysql.RowDataPacket[]>("SELECT Host FROM mysql.user WHERE User = ?", [
    username,
  ]);
  for (const { Host } of hosts) {
    // No new logins, then end the sessions it has (DROP USER leaves them open), then the user.
    await conn.query("ALTER USER ?@? ACCOUNT LOCK", [username, Host]);
  }
  const [sessions] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?",
    [username],
  );
  for (const { ID } of sessions) {
    await conn.query("KILL CONNECTION ?", [Number(ID)]).catch((e: unknown) => {
      if (errno(e) !== 1094) throw e; // unknown thread: it ended meanwhile
    });
  }
  for (const { Host } of hosts) await conn.query("DROP USER IF EXISTS ?@?", [username, Host]);
}

/**
 * MySQL and MariaDB (verified on MariaDB 10.11): a user per lease, `'gh_…'@'<allowed_host>'`, with
 * the allowlisted privileges on `database`.*; names fit MySQL's 32 characters. The engines have no
 * server-side expiry for accounts, so expiry is the reaper's revoke. CREATE USER and GRANT are not
 * transactional: a failed GRANT drops the user again before the error is reported.
 */
export function mysqlProvider(): DynamicProvider {
  return {
    type: "mysql",
    label: "MySQL / MariaDB",
    fields: FIELDS,
    maxUsernameLength: MYSQL_MAX_USERNAME,
    revocation: "immediate",
    renewable: true,

    async validateConfig(input) {
      const c = checkServerConfig(FIELDS, input);
      checkIdentifier(c, "database", 64);
      c.grants = checkGrants(c, "grants", MYSQL_GRANTS);
      if (!HOST_PATTERN.test(str(c, "allowed_host"))) {
        throw invalid(
          "config.allowed_host",
          "must be a host pattern of letters, digits, '.', '-', '_', ':' and '%' (at most 60)",
        );
      }
      checkRange(c, "max_connections", 0, 10_000, 5);
      return c;
    },

    async test(c) {
      await connect(
        c,
        async (conn) => {
          await conn.query("SELECT 1");
          const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR CURRENT_USER()");
          const grants = rows.map((r) => String(Object.values(r)[0] ?? "")).join("\n");
          const global = grants.split("\n").filter((g) => / ON \*\.\* TO /i.test(g));
          const canCreate = global.some((g) => /ALL PRIVILEGES|CREATE USER/i.test(g));
          const canGrant = global.some((g) => /WITH GRANT OPTION/i.test(g)) || /GRANT OPTION/i.test(grants);
          if (!canCreate || !canGrant) {
            throw new ProviderError(`user "${str(c, "user")}" needs CREATE USER and GRANT OPTION`);
          }
        },
        "test connection",
      );
    },

    async create(c, req) {
      const username = assertUsername(req.username);
      if (username.length > MYSQL_MAX_USERNAME)
        throw new ProviderError("user name longer than 32 characters");
      const host = str(c, "allowed_host");
      const grants = (c.grants as string[]).join(", ");
      await connect(
        c,
        async (conn) => {
          await conn.query(
            `CREATE USER ?@? IDENTIFIED BY ? WITH MAX_USER_CONNECTIONS ${int(c, "max_connections", 5)}`,
            [username, host, req.password],
          );
          try {
            // Privileges come from the allowlist; ?? quotes the checked database name as an identifier.
            await conn.query(`GRANT ${grants} ON ??.* TO ?@?`, [str(c, "database"), username, host]);
          } catch (e) {
            await conn.query("DROP USER IF EXISTS ?@?", [username, host]).catch(() => {});
            throw e;
          }
        },
        "create user",
      );
      return { ...issuedLogin(c, 3306, username, req.password), database: str(c, "database") };
    },

    async revoke(c, username) {
      assertUsername(username);
      await connect(c, (conn) => dropUser(conn, username), "revoke");
    },

    // No account expiry in the engine: renewing only moves Gatehouse's own expiry.
    async renew() {},

    async listActive(c) {
      return connect(
        c,
        async (conn) => {
          const [rows] = await conn.query<mysql.RowDataPacket[]>(
            "SELECT DISTINCT User FROM mysql.user WHERE User LIKE 'gh\\\\_%' ORDER BY User",
          );
          return rows.map((r) => String(r.User));
        },
        "list users",
      );
    },
  };
}
