/** What a command may touch of the process: passed in, so tests and embedders can supply their own. */
export interface Io {
  /** Only GATEHOUSE_URL, GATEHOUSE_ROLE_ID, GATEHOUSE_SECRET_ID and GATEHOUSE_TOKEN are ever read. */
  env: Record<string, string | undefined>;
  /** Human-facing messages. Never stdout: `gatehouse mcp` speaks JSON-RPC there. */
  stderr: (line: string) => void;
}

/** A failure the user can act on: printed as `gatehouse <command>: <message>`, then exit `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
