import { constants } from "node:os";
import { help, intOption, parse, usageError } from "../args";
import { clientFor, encodePath } from "../client";
import { CliError, type Io } from "../io";
import { Masker, MIN_MASKED_LENGTH } from "../mask";
import { reasonHeaders, withApproval } from "./read";
import type { Command } from "./types";

const USAGE = `Usage: gatehouse run --secret NAME=path [--secret NAME=path ...] [options] -- <command> [args...]

Reads the secrets, starts <command> with each value in the environment variable NAME, and passes its
stdout and stderr through a filter that replaces every injected value, and its base64, base64url and
URL-encoded forms, with [REDACTED] (also when a value is split across writes). Values shorter than
${MIN_MASKED_LENGTH} characters cannot be masked and are refused unless --allow-short.

The command does not inherit GATEHOUSE_TOKEN or GATEHOUSE_SECRET_ID. Its exit code is returned
(128+N when it is killed by signal N); SIGINT, SIGTERM and SIGHUP are passed on to it.

Options:
  -s, --secret <NAME=path>   Inject the secret at path as NAME (repeatable)
  --reason <text>            Shown to the approver when a read needs approval
  --wait <seconds>           When a read needs approval, wait this long for a human (else exit 4)
  --no-mask                  Pass output through unfiltered
  --allow-short              Inject values too short to mask
  --url <url>                Gatehouse server (see \`gatehouse login\`)
  --token <token>            Bearer token
  -h, --help                 This help

Exit codes: the command's own; 1-4 as for other commands when the secrets cannot be read; 127 when
the command cannot be started.`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STRIPPED = ["GATEHOUSE_TOKEN", "GATEHOUSE_SECRET_ID"];
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

async function write(stream: NodeJS.WriteStream, data: Uint8Array) {
  if (data.length === 0) return;
  if (!stream.write(data)) await new Promise<void>((resolve) => stream.once("drain", () => resolve()));
}

async function pump(from: ReadableStream<Uint8Array>, to: NodeJS.WriteStream, masker: Masker | undefined) {
  for await (const chunk of from) await write(to, masker ? masker.push(chunk) : chunk);
  if (masker) await write(to, masker.end());
}

async function runCommand(args: string[], io: Io): Promise<number> {
  const dash = args.indexOf("--");
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const command = dash >= 0 ? args.slice(dash + 1) : [];
  const { values, positionals } = parse(
    own,
    {
      secret: { type: "string", short: "s", multiple: true },
      reason: { type: "string" },
      wait: { type: "string" },
      "no-mask": { type: "boolean" },
      "allow-short": { type: "boolean" },
      url: { type: "string" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    USAGE,
  );
  if (values.help) return help(io, USAGE);
  if (positionals.length) throw usageError(`put the command after "--" (got "${positionals[0]}")`, USAGE);
  if (command.length === 0) throw usageError("missing the command after --", USAGE);
  if (!values.secret?.length) throw usageError("give at least one --secret NAME=path", USAGE);
  const wait = intOption(values.wait, "wait", USAGE);
  const wanted = values.secret.map((s) => {
    const i = s.indexOf("=");
    const name = s.slice(0, i);
    const path = s.slice(i + 1);
    if (i <= 0 || !path) throw usageError(`--secret expects NAME=path, got "${s}"`, USAGE);
    if (!ENV_NAME.test(name)) throw usageError(`"${name}" is not a valid environment variable name`, USAGE);
    return { name, path };
  });

  const client = clientFor(values, io);
  const headers = reasonHeaders(values.reason);
  const injected: Record<string, string> = {};
  for (const w of wanted) {
    const r = await withApproval(client, wait, io, () =>
      client.get<{ value: string }>(`/v1/secrets/${encodePath(w.path)}/value`, { headers }),
    );
    if (r.value.length < MIN_MASKED_LENGTH && !values["no-mask"] && !values["allow-short"]) {
      throw new CliError(
        `${w.path} is shorter than ${MIN_MASKED_LENGTH} characters and cannot be masked (--allow-short injects it anyway)`,
      );
    }
    injected[w.name] = r.value;
  }

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(io.env)) if (v !== undefined && !STRIPPED.includes(k)) env[k] = v;
  Object.assign(env, injected);

  let child: ReturnType<typeof Bun.spawn>;
  try {
    child = Bun.spawn(command, { env, stdin: "inherit", stdout: "pipe", stderr: "pipe" });
  } catch (e) {
    io.stderr(`gatehouse run: cannot start ${command[0]}: ${e instanceof Error ? e.message : e}`);
    return 127;
  }
  const forward = FORWARDED.map((sig) => {
    const handler = () => child.kill(sig);
    process.on(sig, handler);
    return () => process.off(sig, handler);
  });
  const mask = !values["no-mask"];
  const values_ = Object.values(injected);
  try {
    await Promise.all([
      pump(
        child.stdout as ReadableStream<Uint8Array>,
        process.stdout,
        mask ? new Masker(values_) : undefined,
      ),
      pump(
        child.stderr as ReadableStream<Uint8Array>,
        process.stderr,
        mask ? new Masker(values_) : undefined,
      ),
    ]);
    const code = await child.exited;
    if (child.signalCode) {
      const n = constants.signals[child.signalCode as keyof typeof constants.signals];
      return 128 + (typeof n === "number" ? n : 0);
    }
    return code;
  } finally {
    for (const off of forward) off();
  }
}

export const run: Command = {
  name: "run",
  summary: "Run a command with secrets in its environment, masking them in its output",
  usage: USAGE,
  run: runCommand,
};
