// Database and service connection strings: only the password is redacted, so scheme, user
// and host stay readable (`postgres://app:[REDACTED]@db:5432/app`).

import { isPlaceholder } from "../allowlist";
import { custom, prefixed } from "../build";
import type { Detector } from "../types";

// Stand-ins seen in documentation and samples (`user:pass@`, `root:password@`).
const URI_PLACEHOLDERS = new Set([
  "pass",
  "password",
  "passwd",
  "pwd",
  "pw",
  "secret",
  "changeme",
  "mypassword",
  "yourpassword",
  "your_password",
  "your-password",
  "user",
  "username",
  "admin",
  "root",
  "guest",
  "postgres",
  "mysql",
  "redis",
  "test",
  "x-oauth-basic",
]);

// user (may be empty) : password @ — neither part may contain the delimiters, so no backtracking.
const USERINFO = /([^\s:@/?#'"`<>\\]{0,128}):([^\s@/?#'"`<>\\]{1,256})@/y;

function uriPassword(id: string, schemes: readonly string[], description: string, generic = false): Detector {
  const keywords = generic ? ["://"] : schemes.map((s) => `${s}://`);
  return custom({ id, family: "database", description, keywords, generic }, (text, at, kwLength) => {
    if (!generic && at > 0 && /[A-Za-z0-9]/.test(text.charAt(at - 1))) return null;
    const from = at + kwLength;
    USERINFO.lastIndex = from;
    const m = USERINFO.exec(text);
    const user = m?.[1];
    const password = m?.[2];
    if (user === undefined || password === undefined) return null;
    if (isPlaceholder(password) || URI_PLACEHOLDERS.has(password.toLowerCase())) return null;
    if (/^[0-9]{1,5}$/.test(password) && user.includes(".")) return null; // host:port@…
    const start = from + user.length + 1;
    return { start, end: start + password.length, keep: 0 };
  });
}

export const DATABASE: readonly Detector[] = [
  uriPassword(
    "postgres_uri_password",
    ["postgres", "postgresql", "postgis"],
    "PostgreSQL URI with a password",
  ),
  uriPassword(
    "mysql_uri_password",
    ["mysql", "mysql2", "mysqlx", "mariadb"],
    "MySQL/MariaDB URI with a password",
  ),
  uriPassword("mongodb_uri_password", ["mongodb", "mongodb+srv"], "MongoDB URI with a password"),
  uriPassword("redis_uri_password", ["redis", "rediss", "valkey"], "Redis/Valkey URI with a password"),
  uriPassword("amqp_uri_password", ["amqp", "amqps"], "AMQP (RabbitMQ) URI with a password"),
  uriPassword("mssql_uri_password", ["mssql", "sqlserver"], "SQL Server URI with a password"),
  uriPassword("ftp_uri_password", ["ftp", "ftps", "sftp"], "FTP/SFTP URI with a password"),
  uriPassword("smtp_uri_password", ["smtp", "smtps"], "SMTP URI with a password"),
  uriPassword("ldap_uri_password", ["ldap", "ldaps"], "LDAP URI with a password"),
  uriPassword("neo4j_uri_password", ["neo4j", "neo4j+s", "bolt"], "Neo4j/Bolt URI with a password"),
  uriPassword("url_credentials", [], "Any URL with user:password@ credentials", true),
  prefixed({
    id: "planetscale_password",
    family: "database",
    description: "PlanetScale database password: pscale_pw_ + 32-64 characters",
    prefixes: ["pscale_pw_"],
    body: "[A-Za-z0-9_=.-]{32,64}",
    tail: "[A-Za-z0-9_=.-]",
  }),
  prefixed({
    id: "planetscale_api_token",
    family: "database",
    description: "PlanetScale service token / OAuth token: pscale_tkn_/pscale_oauth_ + 32-64 characters",
    prefixes: ["pscale_tkn_", "pscale_oauth_"],
    body: "[A-Za-z0-9_=.-]{32,64}",
    tail: "[A-Za-z0-9_=.-]",
  }),
];
