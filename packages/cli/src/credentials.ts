import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError, EXIT, type Io } from "./io";

/** What `gatehouse login` keeps: the server, the bearer token and who it is. Never a password. */
export interface StoredCredentials {
  url: string;
  token: string;
  identity: string;
  method: "password" | "totp" | "recovery_code" | "token" | "approle";
  /** ISO time the token stops working, when the server said. */
  expires_at: string | null;
  saved_at: string;
}

/** `$GATEHOUSE_CREDENTIALS_FILE`, else `$XDG_CONFIG_HOME/gatehouse/credentials`, else `~/.config/...`. */
export function credentialsPath(env: Io["env"]): string {
  if (env.GATEHOUSE_CREDENTIALS_FILE) return env.GATEHOUSE_CREDENTIALS_FILE;
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, ".config") : undefined);
  if (!base) throw new CliError("cannot find a home directory: set HOME or GATEHOUSE_CREDENTIALS_FILE");
  return join(base, "gatehouse", "credentials");
}

export function readCredentials(env: Io["env"]): StoredCredentials | undefined {
  let path: string;
  try {
    path = credentialsPath(env);
  } catch {
    return undefined;
  }
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as StoredCredentials;
    if (typeof parsed.url !== "string" || typeof parsed.token !== "string") throw new Error("incomplete");
    return parsed;
  } catch {
    throw new CliError(
      `${path} is not a credentials file written by \`gatehouse login\`; remove it`,
      EXIT.auth,
    );
  }
}

/** Written with mode 0600 in a 0700 directory, replacing any previous file atomically enough for one user. */
export function writeCredentials(env: Io["env"], creds: StoredCredentials): string {
  const path = credentialsPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  // rename keeps the 0600 mode of the new file even when an older file had looser permissions.
  renameSync(tmp, path);
  return path;
}

export function removeCredentials(env: Io["env"]): string | undefined {
  const path = credentialsPath(env);
  if (!existsSync(path)) return undefined;
  rmSync(path, { force: true });
  return path;
}
