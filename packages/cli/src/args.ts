import { type ParseArgsConfig, parseArgs } from "node:util";
import { CliError, EXIT } from "./io";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every client command accepts. */
export const CLIENT_OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const CLIENT_USAGE = `  --url <url>       Gatehouse server (default: GATEHOUSE_URL, then the one \`gatehouse login\` saved)
  --token <token>   Bearer token (default: GATEHOUSE_TOKEN, an AppRole from GATEHOUSE_ROLE_ID and
                    GATEHOUSE_SECRET_ID, then the saved login)
  --json            Print the server's JSON instead of text
  -h, --help        This help`;

/** node:util parseArgs with usage errors as exit code 2 and the usage text attached. */
export function parse<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError(`${e instanceof Error ? e.message : e}\n\n${usage}`, EXIT.usage);
  }
}

export function usageError(message: string, usage: string): CliError {
  return new CliError(`${message}\n\n${usage}`, EXIT.usage);
}

/** Exactly `n` positional arguments, named for the error message. */
export function positionals(got: string[], names: string[], usage: string, optional = 0): string[] {
  if (got.length < names.length - optional)
    throw usageError(`missing ${names.slice(got.length).join(" ")}`, usage);
  if (got.length > names.length) throw usageError(`unexpected argument "${got[names.length]}"`, usage);
  return got;
}

export function intOption(value: string | undefined, name: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usageError(`--${name} must be a whole number`, usage);
  return Number(value);
}

/** `k=v` pairs (repeatable options) into a map. */
export function pairs(values: string[] | undefined, name: string, usage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf("=");
    if (i <= 0) throw usageError(`--${name} expects KEY=VALUE, got "${v}"`, usage);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/** Prints a command's usage for --help. */
export function help(io: { stderr: (line: string) => void }, usage: string): number {
  io.stderr(usage);
  return 0;
}
