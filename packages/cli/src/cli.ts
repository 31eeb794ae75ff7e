import { COMMANDS, findCommand } from "./commands";
import { CliError, type Io } from "./io";
import { VERSION } from "./version";

const HOST = new Set(["backup", "restore", "audit", "admin", "import"]);
const line = (c: { name: string; summary: string }) => `  ${c.name.padEnd(10)} ${c.summary}`;

const HELP = `Usage: gatehouse <command> [options]

Commands that talk to a Gatehouse server:
${COMMANDS.filter((c) => !HOST.has(c.name))
  .map(line)
  .join("\n")}

Commands run on the vault's host (they open its database; some need its master key):
${COMMANDS.filter((c) => HOST.has(c.name))
  .map(line)
  .join("\n")}

Run \`gatehouse <command> --help\` for a command's options. Add --json for machine-readable output.
Exit codes: 0 ok, 1 failure, 2 usage, 3 not signed in / refused / forbidden, 4 waiting for approval.`;

/** Runs one command line and returns the exit code; failures are printed, never thrown. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stderr(HELP);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    io.stderr(VERSION);
    return 0;
  }
  const command = findCommand(name);
  if (!command) {
    io.stderr(`gatehouse: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`gatehouse ${command.name}: ${e.message}`);
      return e.code;
    }
    io.stderr(
      `gatehouse ${command.name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : e}`,
    );
    return 1;
  }
}
