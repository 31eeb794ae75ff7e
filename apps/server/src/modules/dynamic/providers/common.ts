// Pieces the server-engine providers (PostgreSQL, MySQL, MongoDB, Redis) share. Nothing here imports a
// driver: each provider still loads its own on first use, so an idle server does not pay for them.
import {
  checkHost,
  checkPort,
  type FieldSpec,
  int,
  normalizeFields,
  type ProviderConfig,
  providerError,
  str,
} from "./types";

/** An engine's form: host and port, then its own admin account fields, then the admin password. */
export function serverFields(port: number, account: readonly FieldSpec[]): FieldSpec[] {
  return [
    { name: "host", type: "string", required: true, description: "Server host name or address" },
    { name: "port", type: "integer", default: port, description: "Server port" },
    ...account,
    { name: "password", type: "string", required: true, sensitive: true, description: "Admin password" },
  ];
}

/** The SQL and document engines' form: the admin logs in to a server and manages one database. */
export function databaseFields(port: number, describe: { database: string; user: string }): FieldSpec[] {
  return serverFields(port, [
    { name: "database", type: "string", required: true, description: describe.database },
    { name: "user", type: "string", required: true, description: describe.user },
  ]);
}

/** Defaults and types, then the host and port every engine's config has; engine checks follow. */
export function checkServerConfig(fields: readonly FieldSpec[], input: ProviderConfig): ProviderConfig {
  const c = normalizeFields(fields, input);
  checkHost(c);
  checkPort(c);
  return c;
}

/**
 * Runs one engine call and then `cleanup` (closing the connection), whatever happened; a failure is
 * reported as a ProviderError naming the call (`"mysql revoke: <the engine's reason>"`).
 */
export async function guarded<T>(step: string, work: () => Promise<T>, cleanup: () => unknown): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw providerError(step, e);
  } finally {
    await cleanup();
  }
}

/** An IPv6 address needs brackets inside a URL. */
export const urlHost = (host: string): string => (host.includes(":") ? `[${host}]` : host);

/** The start of every issued credential: who to log in as, and where. */
export function issuedLogin(c: ProviderConfig, defaultPort: number, username: string, password: string) {
  return { username, password, host: str(c, "host"), port: int(c, "port", defaultPort) };
}

/** The Gatehouse-made users among an engine's users, sorted. */
export const gatehouseUsers = (users: string[]): string[] => users.filter((u) => u.startsWith("gh_")).sort();
