/** What a command may touch of the process: passed in, so tests and embedders can supply their own. */
export interface Io {
  /**
   * The environment. Client commands read GATEHOUSE_URL, GATEHOUSE_TOKEN, GATEHOUSE_ROLE_ID,
   * GATEHOUSE_SECRET_ID, HOME / XDG_CONFIG_HOME and GATEHOUSE_CREDENTIALS_FILE; host commands (backup,
   * restore, import, admin, audit verify --offline) read the server's own variables.
   */
  env: Record<string, string | undefined>;
  /** Human-facing messages. Never stdout: `gatehouse mcp` speaks JSON-RPC there. */
  stderr: (line: string) => void;
  /** Command results (values, tables, JSON), written as given. */
  stdout: (text: string) => void;
  /** Reads one line from the terminal or, when stdin is not one, from stdin; undefined at end of input. */
  prompt: (question: string, opts?: { hidden?: boolean }) => Promise<string | undefined>;
  /** Reads all of stdin (for `-` arguments and --password-stdin). */
  readStdin: () => Promise<string>;
}

/** Exit codes every command uses. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** Not signed in, credentials refused, or not allowed. */
  auth: 3,
  /** A human must approve the request first (HTTP 202). */
  pending: 4,
} as const;

/** A failure the user can act on: printed as `gatehouse <command>: <message>`, then exit `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}
