import type postgres from "postgres";
import { checkServerConfig, databaseFields, guarded, issuedLogin, urlHost } from "./common";
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

export const PG_GRANTS = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "TRUNCATE",
  "REFERENCES",
  "TRIGGER",
  "ALL PRIVILEGES",
] as const;

const FIELDS: readonly FieldSpec[] = [
  ...databaseFields(5432, {
    database: "Database the credentials are for",
    user: "Admin role with CREATEROLE (or superuser)",
  }),
  {
    name: "grants",
    type: "list",
    default: ["SELECT"],
    description: `Table privileges, from ${PG_GRANTS.join(", ")}`,
  },
  { name: "schema", type: "string", default: "public", description: "Schema the grants apply to" },
  {
    name: "connection_limit",
    type: "integer",
    default: 5,
    description: "Connections one issued role may hold at once (-1: no limit)",
  },
  ...SSL_FIELDS,
];

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const WRITE_GRANTS = new Set(["INSERT", "UPDATE", "ALL PRIVILEGES"]);

type Sql = ReturnType<typeof postgres>;

async function connect<T>(c: ProviderConfig, fn: (sql: Sql) => Promise<T>, step: string): Promise<T> {
  // Loaded on first use: the driver costs ~12 MB of memory at boot otherwise.
  const { default: open } = await import("postgres");
  const sql = open({
    host: str(c, "host"),
    port: int(c, "port", 5432),
    database: str(c, "database"),
    username: str(c, "user"),
    password: str(c, "password"),
    ssl: tlsOptions(c) || false,
    max: 1,
    connect_timeout: 5,
    idle_timeout: 1,
    onnotice: () => {},
    connection: { application_name: "gatehouse", statement_timeout: 10_000 } as never,
  });
  return guarded(
    `postgresql ${step}`,
    () => fn(sql),
    () => sql.end({ timeout: 2 }).catch(() => {}),
  );
}

/**
 * PostgreSQL: a LOGIN role per lease with `VALID UNTIL` (the server refuses logins after expiry even
 * if Gatehouse is down), created in one transaction with CONNECT, schema USAGE, the allowlisted table
 * grants and default privileges for tables the admin creates later. Revoke blocks new logins, ends the
 * role's sessions, drops what it owns or was granted in the database, then the role.
 */
export function postgresqlProvider(): DynamicProvider {
  return {
    type: "postgresql",
    label: "PostgreSQL",
    fields: FIELDS,
    maxUsernameLength: 63,
    revocation: "immediate",
    renewable: true,

    async validateConfig(input) {
      const c = checkServerConfig(FIELDS, input);
      checkIdentifier(c, "database");
      checkIdentifier(c, "schema");
      c.grants = checkGrants(c, "grants", PG_GRANTS);
      checkRange(c, "connection_limit", -1, 10_000, 5);
      tlsOptions(c);
      return c;
    },

    async test(c) {
      await connect(
        c,
        async (sql) => {
          const [me] = await sql<{ rolsuper: boolean; rolcreaterole: boolean }[]>`
            SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user`;
          if (!me?.rolsuper && !me?.rolcreaterole) {
            throw new ProviderError(`role "${str(c, "user")}" lacks CREATEROLE`);
          }
          const [schema] = await sql`SELECT 1 FROM pg_namespace WHERE nspname = ${str(c, "schema")}`;
          if (!schema) throw new ProviderError(`schema "${str(c, "schema")}" does not exist`);
        },
        "test connection",
      );
    },

    async create(c, req) {
      const name = quote(assertUsername(req.username));
      const db = quote(str(c, "database"));
      const schema = quote(str(c, "schema"));
      const grants = (c.grants as string[]).join(", ");
      const until = new Date(req.expiresAt).toISOString();
      // DDL takes no bind parameters: the name, password (letters and digits) and timestamp are
      // generated here, the database and schema checked as identifiers, the grants allowlisted.
      await connect(
        c,
        (sql) =>
          sql.begin(async (tx) => {
            await tx.unsafe(
              `CREATE ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT CONNECTION LIMIT ${int(c, "connection_limit", 5)} PASSWORD '${req.password}' VALID UNTIL '${until}'`,
            );
            await tx.unsafe(`GRANT CONNECT ON DATABASE ${db} TO ${name}`);
            await tx.unsafe(`GRANT USAGE ON SCHEMA ${schema} TO ${name}`);
            await tx.unsafe(`GRANT ${grants} ON ALL TABLES IN SCHEMA ${schema} TO ${name}`);
            await tx.unsafe(
              `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT ${grants} ON TABLES TO ${name}`,
            );
            if ((c.grants as string[]).some((g) => WRITE_GRANTS.has(g))) {
              // Serial and identity columns need their sequences for INSERT.
              await tx.unsafe(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${name}`);
              await tx.unsafe(
                `ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${name}`,
              );
            }
          }),
        "create role",
      );
      const login = issuedLogin(c, 5432, req.username, req.password);
      const database = str(c, "database");
      return {
        ...login,
        database,
        schema: str(c, "schema"),
        valid_until: until,
        uri: `postgresql://${login.username}:${login.password}@${urlHost(login.host)}:${login.port}/${database}`,
      };
    },

    async revoke(c, username) {
      const name = quote(assertUsername(username));
      await connect(
        c,
        async (sql) => {
          const [exists] = await sql`SELECT 1 FROM pg_roles WHERE rolname = ${username}`;
          if (!exists) return;
          await sql.unsafe(`ALTER ROLE ${name} NOLOGIN`);
          await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ${username}`;
          // Revokes its privileges and default privileges here (and on shared objects), then the role.
          await sql.unsafe(`DROP OWNED BY ${name}`);
          await sql.unsafe(`DROP ROLE ${name}`);
        },
        "revoke",
      );
    },

    async renew(c, username, expiresAt) {
      const name = quote(assertUsername(username));
      await connect(
        c,
        (sql) => sql.unsafe(`ALTER ROLE ${name} VALID UNTIL '${new Date(expiresAt).toISOString()}'`),
        "renew",
      );
    },

    async listActive(c) {
      return connect(
        c,
        async (sql) =>
          (
            await sql<{ rolname: string }[]>`
              SELECT rolname FROM pg_roles WHERE rolname LIKE 'gh\\_%' ORDER BY rolname`
          ).map((r) => r.rolname),
        "list roles",
      );
    },
  };
}
