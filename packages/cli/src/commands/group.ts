import { CliError, EXIT, type Io } from "../io";
import type { Command } from "./types";

export interface Sub {
  name: string;
  summary: string;
  run(args: string[], io: Io): Promise<number>;
}

/** A command made of subcommands (`gatehouse secrets get ...`); `--help` lists them. */
export function group(name: string, summary: string, subs: Sub[], extra = ""): Command {
  const usage = `Usage: gatehouse ${name} <subcommand> [options]

${summary}

Subcommands:
${subs.map((s) => `  ${s.name.padEnd(10)} ${s.summary}`).join("\n")}

Run \`gatehouse ${name} <subcommand> --help\` for its options.${extra ? `\n\n${extra}` : ""}`;
  return {
    name,
    summary,
    usage,
    async run(args, io) {
      const [sub, ...rest] = args;
      if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
        io.stderr(usage);
        return sub ? EXIT.ok : EXIT.usage;
      }
      const found = subs.find((s) => s.name === sub);
      if (!found) throw new CliError(`unknown subcommand "${sub}"\n\n${usage}`, EXIT.usage);
      return found.run(rest, io);
    },
  };
}
