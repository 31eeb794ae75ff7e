import { invalid } from "@gatehouse/core";
import { RedisClient } from "bun";
import { checkServerConfig, gatehouseUsers, guarded, issuedLogin, serverFields, urlHost } from "./common";
import {
  assertUsername,
  checkRange,
  type DynamicProvider,
  type FieldSpec,
  int,
  list,
  type ProviderConfig,
  ProviderError,
  str,
  withTimeout,
} from "./types";

const FIELDS: readonly FieldSpec[] = [
  ...serverFields(6379, [
    {
      name: "username",
      type: "string",
      default: "default",
      description: "Admin ACL user (needs +acl +client)",
    },
  ]),
  {
    name: "commands",
    type: "list",
    default: ["+@read"],
    description: "ACL command rules (+@read, +get, -del, ...); admin and dangerous commands are refused",
  },
  {
    name: "keys",
    type: "list",
    default: ["~*"],
    description: "ACL key patterns (~app:*, %R~cache:*, %W~queue:*)",
  },
  { name: "channels", type: "list", default: [], description: "Pub/Sub channel patterns (&events:*)" },
  { name: "db", type: "integer", default: 0, description: "Database number handed to the client" },
  { name: "tls", type: "boolean", default: false, description: "Connect with TLS (rediss://)" },
];

// Rules that would let an issued user escape its scope (create users, reconfigure, replicate) or
// outlive its revoke: refused whatever the admin asks for.
const FORBIDDEN_CATEGORIES = new Set(["all", "admin", "dangerous"]);
const FORBIDDEN_COMMANDS = new Set([
  "acl",
  "auth",
  "bgrewriteaof",
  "bgsave",
  "client",
  "cluster",
  "config",
  "debug",
  "failover",
  "flushall",
  "flushdb",
  "hello",
  "migrate",
  "module",
  "monitor",
  "psync",
  "replicaof",
  "restore",
  "save",
  "script",
  "shutdown",
  "slaveof",
  "sync",
]);
const COMMAND_RULE = /^([+-])(@?)([a-z][a-z0-9_-]*)(\|[a-z0-9_-]+)?$/;
const KEY_RULE = /^(%(R|W|RW))?~[\x21-\x7e]{1,256}$/;
const CHANNEL_RULE = /^&[\x21-\x7e]{1,256}$/;

function checkCommands(rules: string[]): string[] {
  if (rules.length === 0) throw invalid("config.commands", "must name at least one rule");
  return rules.map((raw) => {
    const r = raw.trim().toLowerCase();
    const m = COMMAND_RULE.exec(r);
    if (!m) throw invalid("config.commands", `"${raw}" is not a command rule (+cmd, -cmd, +@category)`);
    const [, sign, at, name] = m;
    if (sign === "+" && at && FORBIDDEN_CATEGORIES.has(name as string)) {
      throw invalid("config.commands", `"${raw}" grants administrative commands`);
    }
    if (sign === "+" && !at && FORBIDDEN_COMMANDS.has(name as string)) {
      throw invalid("config.commands", `"${raw}" is an administrative command`);
    }
    return r;
  });
}

function checkPatterns(field: string, rules: string[], re: RegExp, what: string): string[] {
  for (const r of rules) if (!re.test(r)) throw invalid(`config.${field}`, `"${r}" is not ${what}`);
  return rules;
}

interface Conn {
  send(command: string, args: string[]): Promise<unknown>;
}

const TIMEOUT_MS = 5_000;

async function connectWith<T>(
  c: ProviderConfig,
  fn: (conn: Conn) => Promise<T>,
  step: string,
  timeoutMs = TIMEOUT_MS,
): Promise<T> {
  const scheme = c.tls === true ? "rediss" : "redis";
  const url = `${scheme}://${encodeURIComponent(str(c, "username") || "default")}:${encodeURIComponent(str(c, "password"))}@${str(c, "host")}:${int(c, "port", 6379)}`;
  const client = new RedisClient(url, {
    connectionTimeout: timeoutMs,
    autoReconnect: false,
    enableOfflineQueue: false,
    maxRetries: 0,
  });
  return guarded(
    `redis ${step}`,
    async () => {
      await withTimeout(client.connect(), timeoutMs, "connect");
      // Each command is bounded too: a hung server must fail the call, not the worker.
      const conn: Conn = {
        send: (cmd, args) => withTimeout(client.send(cmd, args), timeoutMs, cmd.toLowerCase()),
      };
      return fn(conn);
    },
    () => client.close(),
  );
}

/**
 * Redis 6+ ACL users: `ACL SETUSER gh_… reset on >password <keys> <channels> <commands>`. Redis has no
 * expiry for ACL users, so expiry is the reaper's revoke: `ACL DELUSER` (which also disconnects the
 * user's clients) after `CLIENT KILL USER`.
 */
export function redisProvider(deps: { timeoutMs?: number } = {}): DynamicProvider {
  const connect = <T>(c: ProviderConfig, fn: (conn: Conn) => Promise<T>, step: string) =>
    connectWith(c, fn, step, deps.timeoutMs);
  return {
    type: "redis",
    label: "Redis (ACL users)",
    fields: FIELDS,
    maxUsernameLength: 64,
    revocation: "immediate",
    renewable: true,

    async validateConfig(input) {
      const c = checkServerConfig(FIELDS, input);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(str(c, "username")))
        throw invalid("config.username", "is not a valid ACL user name");
      c.commands = checkCommands(list(c, "commands"));
      c.keys = checkPatterns(
        "keys",
        list(c, "keys"),
        KEY_RULE,
        "a key pattern (~pattern, %R~pattern, %W~pattern)",
      );
      c.channels = checkPatterns(
        "channels",
        list(c, "channels"),
        CHANNEL_RULE,
        "a channel pattern (&pattern)",
      );
      checkRange(c, "db", 0, 1023);
      return c;
    },

    async test(c) {
      await connect(
        c,
        async (conn) => {
          if ((await conn.send("PING", [])) !== "PONG") throw new ProviderError("PING did not answer PONG");
          // Needs the ACL permissions every create and revoke uses.
          await conn.send("ACL", ["USERS"]);
        },
        "test connection",
      );
    },

    async create(c, req) {
      const username = assertUsername(req.username);
      const rules = [
        "reset",
        "on",
        `>${req.password}`,
        "resetkeys",
        ...list(c, "keys"),
        "resetchannels",
        ...list(c, "channels"),
        "-@all",
        ...list(c, "commands"),
      ];
      await connect(c, (conn) => conn.send("ACL", ["SETUSER", username, ...rules]), "create user");
      const login = issuedLogin(c, 6379, username, req.password);
      const db = int(c, "db", 0);
      return {
        ...login,
        db,
        uri: `${c.tls === true ? "rediss" : "redis"}://${username}:${req.password}@${urlHost(login.host)}:${login.port}/${db}`,
      };
    },

    async revoke(c, username) {
      assertUsername(username);
      await connect(
        c,
        async (conn) => {
          await conn.send("CLIENT", ["KILL", "USER", username]).catch((e: unknown) => {
            if (!String((e as Error).message).includes("No such user")) throw e;
          });
          await conn.send("ACL", ["DELUSER", username]);
        },
        "revoke",
      );
    },

    // No expiry in the engine: renewing only moves Gatehouse's own expiry.
    async renew() {},

    async listActive(c) {
      return connect(
        c,
        async (conn) => {
          return gatehouseUsers((await conn.send("ACL", ["USERS"])) as string[]);
        },
        "list users",
      );
    },
  };
}
