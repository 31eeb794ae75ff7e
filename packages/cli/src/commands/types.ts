import type { Io } from "../io";

/** One `gatehouse <name>` command; later commands slot into ./index.ts next to `mcp`. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves with the exit code once the command is done (for `mcp`: when the client disconnects). */
  run(args: string[], io: Io): Promise<number>;
}
