import { CLIENT_OPTIONS, CLIENT_USAGE, help, parse, positionals } from "../args";
import { Client, clientFor, describeError, resolveUrl } from "../client";
import { credentialsPath, removeCredentials, type StoredCredentials, writeCredentials } from "../credentials";
import { CliError, EXIT, type Io } from "../io";
import { printJson } from "../output";
import type { Command } from "./types";

const LOGIN_USAGE = `Usage: gatehouse login [options]

Signs in and saves the token in ~/.config/gatehouse/credentials (mode 0600; $XDG_CONFIG_HOME or
GATEHOUSE_CREDENTIALS_FILE move it). Later commands use it unless --token, GATEHOUSE_TOKEN or an
AppRole in GATEHOUSE_ROLE_ID/GATEHOUSE_SECRET_ID is given.

One of:
  -u, --username <name>   A user: the password is prompted for (or read with --password-stdin),
                          then the TOTP code when the account has one (or --totp <code>; a recovery
                          code works too)
  --token <token>         A personal access token (Me → Access tokens) or any bearer token: checked
                          with the server, then saved
  --role-id <id>          An AppRole (with --secret-id or GATEHOUSE_SECRET_ID); its token is saved

Options:
  --url <url>             The server (or GATEHOUSE_URL)
  --password-stdin        Read the password from the first line of stdin
  --totp <code>           The TOTP or recovery code, instead of a prompt
  --secret-id <id>        AppRole secret_id (prefer GATEHOUSE_SECRET_ID: arguments show in \`ps\`)
  --json                  Print who signed in as JSON (never the token)
  -h, --help              This help

Exit codes: 0 signed in, 2 usage, 3 refused (wrong password or code, suspended AppRole, ...).`;

const OPTIONS = {
  url: { type: "string" },
  username: { type: "string", short: "u" },
  "password-stdin": { type: "boolean" },
  totp: { type: "string" },
  token: { type: "string" },
  "role-id": { type: "string" },
  "secret-id": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type TokenReply = { token: string; identity?: string; expires_in?: number };
type LoginReply = TokenReply & {
  totp_required?: boolean;
  totp_token?: string;
  recovery_code_consumed?: boolean;
};
type Whoami = { identity: string; kind?: string; expires_at: string | null; policies: string[] };

async function post<T>(url: string, path: string, body: unknown): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${url}: ${e instanceof Error ? e.message : e}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  if (res.status === 401 || res.status === 403 || res.status === 429)
    throw new CliError(`sign-in refused: ${describeError(res.status, parsed)}`, EXIT.auth);
  if (!res.ok) throw new CliError(`sign-in failed: ${describeError(res.status, parsed)}`);
  return { status: res.status, body: parsed as T };
}

async function whoami(url: string, token: string): Promise<Whoami> {
  const client = new Client(url, { kind: "token", token });
  return client.get<Whoami>("/v1/auth/whoami");
}

async function passwordLogin(
  url: string,
  username: string,
  values: { "password-stdin"?: boolean; totp?: string },
  io: Io,
) {
  const password = values["password-stdin"]
    ? await io.prompt("", { hidden: true })
    : await io.prompt(`Password for ${username}: `, { hidden: true });
  if (!password) throw new CliError("no password given", EXIT.usage);
  const first = await post<LoginReply>(url, "/v1/auth/login", { username, password });
  if (!first.body.totp_required) return { reply: first.body, method: "password" as const };
  const code = values.totp ?? (await io.prompt("TOTP code (or a recovery code): "));
  if (!code) throw new CliError("this account needs a TOTP code: pass --totp <code>", EXIT.auth);
  const second = await post<LoginReply>(url, "/v1/auth/login/totp", {
    totp_token: first.body.totp_token,
    code: code.trim(),
  });
  if (second.body.recovery_code_consumed)
    io.stderr("note: a recovery code was used; it cannot be used again (regenerate them under Me)");
  return {
    reply: second.body,
    method: second.body.recovery_code_consumed ? ("recovery_code" as const) : ("totp" as const),
  };
}

async function runLogin(args: string[], io: Io): Promise<number> {
  const { values, positionals: rest } = parse(args, OPTIONS, LOGIN_USAGE);
  if (values.help) return help(io, LOGIN_USAGE);
  positionals(rest, [], LOGIN_USAGE);
  const url = resolveUrl(values.url, io);
  const roleId =
    values["role-id"] ?? (values.username || values.token ? undefined : io.env.GATEHOUSE_ROLE_ID);
  const chosen = [values.username, values.token, roleId].filter(Boolean).length;
  if (chosen > 1)
    throw new CliError(`give one of --username, --token and --role-id\n\n${LOGIN_USAGE}`, EXIT.usage);

  let token: string;
  let method: StoredCredentials["method"];
  if (values.token) {
    token = values.token.trim();
    method = "token";
  } else if (roleId) {
    const secretId = values["secret-id"] ?? io.env.GATEHOUSE_SECRET_ID;
    if (!secretId) throw new CliError("an AppRole needs --secret-id (or GATEHOUSE_SECRET_ID)", EXIT.usage);
    const r = await post<TokenReply>(url, "/v1/auth/approle/login", { role_id: roleId, secret_id: secretId });
    token = r.body.token;
    method = "approle";
  } else {
    const username = values.username ?? (await io.prompt("Username: "))?.trim();
    if (!username) throw new CliError(`no username given\n\n${LOGIN_USAGE}`, EXIT.usage);
    const { reply, method: m } = await passwordLogin(url, username, values, io);
    token = reply.token;
    method = m;
  }
  // The server says who the token is (and refuses a bad one) before anything is saved.
  const who = await whoami(url, token);
  const path = writeCredentials(io.env, {
    url,
    token,
    identity: who.identity,
    method,
    expires_at: who.expires_at,
    saved_at: new Date().toISOString(),
  });
  if (values.json)
    printJson(io, { identity: who.identity, url, expires_at: who.expires_at, credentials_file: path });
  else
    io.stderr(
      `Signed in to ${url} as ${who.identity}${who.expires_at ? ` until ${who.expires_at}` : ""}; token saved in ${path}`,
    );
  return EXIT.ok;
}

export const login: Command = {
  name: "login",
  summary: "Sign in (user + TOTP, access token or AppRole) and save the token",
  usage: LOGIN_USAGE,
  run: runLogin,
};

const LOGOUT_USAGE = `Usage: gatehouse logout

Deletes the token \`gatehouse login\` saved (the token itself stays valid until it expires; use
"Sign out everywhere" in the web UI to end it at once).`;

export const logout: Command = {
  name: "logout",
  summary: "Forget the saved token",
  usage: LOGOUT_USAGE,
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { help: { type: "boolean", short: "h" } },
      LOGOUT_USAGE,
    );
    if (values.help) return help(io, LOGOUT_USAGE);
    positionals(rest, [], LOGOUT_USAGE);
    const path = removeCredentials(io.env);
    io.stderr(path ? `Removed ${path}` : `Not signed in (${credentialsPath(io.env)} does not exist)`);
    return EXIT.ok;
  },
};

const WHOAMI_USAGE = `Usage: gatehouse whoami [options]

Who the server says the current credentials are.

Options:
${CLIENT_USAGE}`;

export const whoamiCommand: Command = {
  name: "whoami",
  summary: "Show who the current credentials are",
  usage: WHOAMI_USAGE,
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, WHOAMI_USAGE);
    if (values.help) return help(io, WHOAMI_USAGE);
    positionals(rest, [], WHOAMI_USAGE);
    const client = clientFor(values, io);
    const who = await client.get<Whoami & { display_name?: string; role?: string | null }>("/v1/auth/whoami");
    if (values.json) printJson(io, who);
    else {
      io.stdout(`${who.identity}\n`);
      io.stderr(
        `server ${client.url}; policies: ${who.policies.join(", ") || "none"}${who.role ? `; role ${who.role}` : ""}${
          who.expires_at ? `; expires ${who.expires_at}` : ""
        }`,
      );
    }
    return EXIT.ok;
  },
};
