import { invalid } from "@gatehouse/core";
import type { Db, Document, MongoClientOptions } from "mongodb";
import { checkServerConfig, databaseFields, gatehouseUsers, guarded, issuedLogin, urlHost } from "./common";
import {
  assertUsername,
  checkIdentifier,
  type DynamicProvider,
  type FieldSpec,
  int,
  list,
  type ProviderConfig,
  ProviderError,
  SSL_FIELDS,
  str,
  tlsOptions,
} from "./types";

const FIELDS: readonly FieldSpec[] = [
  ...databaseFields(27017, {
    database: "Database the user is created in",
    user: "Admin user (userAdmin, userAdminAnyDatabase or root)",
  }),
  {
    name: "auth_source",
    type: "string",
    default: "admin",
    description: "Database the admin authenticates against",
  },
  {
    name: "roles",
    type: "list",
    default: ["read"],
    description:
      "Roles on the database (read, readWrite, dbAdmin, or role@otherdb); user-admin roles are refused",
  },
  ...SSL_FIELDS,
];

// Roles that can create or change users (so a credential could outlive its revoke) or own the server.
const FORBIDDEN_ROLES = new Set([
  "root",
  "__system",
  "userAdmin",
  "userAdminAnyDatabase",
  "dbOwner",
  "restore",
  "__queryableBackup",
]);
const ROLE_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}(@[A-Za-z0-9_$-]{1,63})?$/;

/** What the provider uses of a connected MongoClient (the real one, or a fake in tests). */
export interface MongoSession {
  db(name: string): Pick<Db, "command">;
  close(): Promise<void>;
}

export type MongoConnect = (url: string, options: MongoClientOptions) => Promise<MongoSession>;

// The driver costs ~45 MB of memory, so it is loaded on first use, not at boot.
const realConnect: MongoConnect = async (url, options) => {
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(url, options);
  await client.connect();
  return client;
};

/** `["read", "readWrite@reporting"]` → `[{role:"read", db}, {role:"readWrite", db:"reporting"}]`. */
export function mongoRoles(c: ProviderConfig): { role: string; db: string }[] {
  return list(c, "roles").map((r) => {
    const [role, db] = r.split("@");
    return { role: role as string, db: db ?? str(c, "database") };
  });
}

export function mongoUrl(c: ProviderConfig): string {
  const host = str(c, "host");
  return `mongodb://${encodeURIComponent(str(c, "user"))}:${encodeURIComponent(str(c, "password"))}@${urlHost(host)}:${int(c, "port", 27017)}/?authSource=${encodeURIComponent(str(c, "auth_source"))}`;
}

const isCode = (e: unknown, code: number) => (e as { code?: unknown }).code === code;

/**
 * MongoDB through the official driver: `createUser` with roles on the configured database, `dropUser`
 * on revoke (the server drops the user's authorization on open connections at once). MongoDB has no
 * user expiry, so expiry is the reaper's revoke. No MongoDB server runs on the build machines: the
 * provider is tested against a fake of the driver's interface (`connect` is the seam).
 */
export function mongodbProvider(deps: { connect?: MongoConnect } = {}): DynamicProvider {
  const open = deps.connect ?? realConnect;

  async function connect<T>(
    c: ProviderConfig,
    fn: (s: MongoSession) => Promise<T>,
    step: string,
  ): Promise<T> {
    let session: MongoSession | undefined;
    return guarded(
      `mongodb ${step}`,
      async () => {
        const tls = tlsOptions(c);
        session = await open(mongoUrl(c), {
          serverSelectionTimeoutMS: 5_000,
          connectTimeoutMS: 5_000,
          socketTimeoutMS: 10_000,
          appName: "gatehouse",
          ...(tls
            ? {
                tls: true,
                tlsAllowInvalidCertificates: !tls.rejectUnauthorized,
                ...(tls.ca ? { ca: tls.ca } : {}),
              }
            : {}),
        });
        return fn(session);
      },
      () => session?.close().catch(() => {}),
    );
  }

  return {
    type: "mongodb",
    label: "MongoDB",
    fields: FIELDS,
    maxUsernameLength: 64,
    revocation: "immediate",
    renewable: true,

    async validateConfig(input) {
      const c = checkServerConfig(FIELDS, input);
      checkIdentifier(c, "database", 63);
      checkIdentifier(c, "auth_source", 63);
      const roles = list(c, "roles");
      if (roles.length === 0) throw invalid("config.roles", "must name at least one role");
      for (const r of roles) {
        if (!ROLE_RE.test(r)) throw invalid("config.roles", `"${r}" is not a role name (role or role@db)`);
        if (FORBIDDEN_ROLES.has(r.split("@")[0] as string)) {
          throw invalid("config.roles", `"${r}" can administer users and is not allowed`);
        }
      }
      return c;
    },

    async test(c) {
      await connect(
        c,
        async (s) => {
          await s.db("admin").command({ ping: 1 });
          const status: Document = await s.db(str(c, "auth_source")).command({ connectionStatus: 1 });
          const roles = (
            (status.authInfo?.authenticatedUserRoles ?? []) as { role: string; db: string }[]
          ).map((r) => r.role);
          if (!roles.some((r) => r === "root" || r === "userAdminAnyDatabase" || r === "userAdmin")) {
            throw new ProviderError(`user "${str(c, "user")}" needs userAdmin, userAdminAnyDatabase or root`);
          }
        },
        "test connection",
      );
    },

    async create(c, req) {
      const username = assertUsername(req.username);
      await connect(
        c,
        (s) =>
          s.db(str(c, "database")).command({
            createUser: username,
            pwd: req.password,
            roles: mongoRoles(c),
            mechanisms: ["SCRAM-SHA-256"],
            customData: { gatehouse_lease: req.leaseId, expires_at: new Date(req.expiresAt).toISOString() },
          }),
        "create user",
      );
      const login = issuedLogin(c, 27017, username, req.password);
      const database = str(c, "database");
      return {
        ...login,
        database,
        auth_source: database,
        uri: `mongodb://${username}:${req.password}@${urlHost(login.host)}:${login.port}/${database}?authSource=${database}`,
      };
    },

    async revoke(c, username) {
      assertUsername(username);
      await connect(
        c,
        async (s) => {
          try {
            await s.db(str(c, "database")).command({ dropUser: username });
          } catch (e) {
            if (!isCode(e, 11)) throw e; // UserNotFound: already gone
          }
        },
        "revoke",
      );
    },

    // No expiry in the engine: renewing only moves Gatehouse's own expiry.
    async renew() {},

    async listActive(c) {
      return connect(
        c,
        async (s) => {
          const info: Document = await s.db(str(c, "database")).command({ usersInfo: 1 });
          return gatehouseUsers(((info.users ?? []) as { user: string }[]).map((u) => u.user));
        },
        "list users",
      );
    },
  };
}
