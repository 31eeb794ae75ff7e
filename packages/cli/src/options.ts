import { CliError, type Io } from "./io";
import type { Credentials } from "./session";

// Shared by every command that talks to a server. Identity and policies are deliberately absent:
// Gatehouse's stdio server took GATEHOUSE_IDENTITY and GATEHOUSE_POLICIES (admin by default) from its
// environment; here the server decides both from the credentials, on every request.

export const SERVER_OPTIONS = {
  url: { type: "string" },
  "role-id": { type: "string" },
  "secret-id": { type: "string" },
  token: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const SERVER_USAGE = `  --url <url>          Gatehouse server (or GATEHOUSE_URL), e.g. https://vault.example.com
  --role-id <id>       AppRole role_id (or GATEHOUSE_ROLE_ID)
  --secret-id <id>     AppRole secret_id (or GATEHOUSE_SECRET_ID; prefer the variable: arguments are
                       visible to other users in the process list)
  --token <token>      A bearer token instead of an AppRole (or GATEHOUSE_TOKEN): an AppRole token or a
                       user's access token; it is not renewed
  -h, --help           This help`;

/** Environment variables Gatehouse's stdio server trusted; named so users learn they no longer apply. */
const IGNORED_ENV = ["GATEHOUSE_IDENTITY", "GATEHOUSE_POLICIES", "GATEHOUSE_MASTER_KEY", "GATEHOUSE_DB_PATH"];

export interface ServerTarget {
  url: string;
  credentials: Credentials;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export function serverTarget(
  values: { url?: string; "role-id"?: string; "secret-id"?: string; token?: string },
  io: Io,
): ServerTarget {
  const pick = (flag: string | undefined, name: string) => (flag ?? io.env[name])?.trim() || undefined;
  const raw = pick(values.url, "GATEHOUSE_URL");
  if (!raw) throw new CliError("no server: pass --url or set GATEHOUSE_URL", 2);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`--url is not a URL: ${raw}`, 2);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new CliError("--url must be http(s)", 2);
  if (url.protocol === "http:" && !LOOPBACK.test(url.hostname)) {
    io.stderr(`warning: ${url.origin} is plain http: credentials and values cross the network unencrypted`);
  }
  for (const name of IGNORED_ENV) {
    if (io.env[name] !== undefined) {
      io.stderr(`warning: ${name} is ignored: the server decides identity and policies from the credentials`);
    }
  }
  const base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
  const token = pick(values.token, "GATEHOUSE_TOKEN");
  const roleId = pick(values["role-id"], "GATEHOUSE_ROLE_ID");
  const secretId = pick(values["secret-id"], "GATEHOUSE_SECRET_ID");
  // An explicit --token wins; otherwise an AppRole (renewable) before a token from the environment.
  if (values.token?.trim()) return { url: base, credentials: { kind: "token", token: values.token.trim() } };
  if (roleId && secretId) return { url: base, credentials: { kind: "approle", roleId, secretId } };
  if (token && !roleId && !secretId) return { url: base, credentials: { kind: "token", token } };
  if (roleId || secretId) throw new CliError("an AppRole needs both --role-id and --secret-id", 2);
  throw new CliError(
    "no credentials: pass --role-id and --secret-id (or GATEHOUSE_ROLE_ID and GATEHOUSE_SECRET_ID), or --token",
    2,
  );
}
