import type { ReadBuffer } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Subprocess } from "bun";
import type { SpawnSpec } from "./sandbox";

const STDERR_TAIL = 4096;
const GRACE_MS = 2000;

type Stdio = typeof import("@modelcontextprotocol/sdk/shared/stdio.js");
// The MCP SDK is loaded on first use: idle memory.
let stdio: Promise<Stdio> | undefined;
const loadStdio = () => (stdio ??= import("@modelcontextprotocol/sdk/shared/stdio.js"));

/**
 * MCP over a child's stdio, started from a sandbox spec. Unlike the SDK's StdioClientTransport it
 * passes exactly the environment it is given (the SDK adds HOME, USER, SHELL, ... of the parent),
 * runs the child in its own session so stopping it stops its children too, and keeps the tail of
 * stderr for diagnostics (callers scrub it before showing it).
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private proc?: Subprocess<"pipe", "pipe", "pipe">;
  private buffer?: ReadBuffer;
  private serialize?: Stdio["serializeMessage"];
  private stderrTail = "";
  private closed = false;
  exitCode: number | null = null;

  constructor(private readonly spec: SpawnSpec) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The last few KiB the child wrote to stderr. */
  get stderr(): string {
    return this.stderrTail;
  }

  async start(): Promise<void> {
    const { ReadBuffer, serializeMessage } = await loadStdio();
    if (this.proc) throw new Error("ProcessTransport already started");
    const buffer = new ReadBuffer();
    this.buffer = buffer;
    this.serialize = serializeMessage;
    const proc = Bun.spawn(this.spec.argv, {
      env: this.spec.env,
      cwd: this.spec.cwd,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.proc = proc;
    void this.pumpStdout(proc.stdout, buffer);
    void this.pumpStderr(proc.stderr);
    void proc.exited.then((code) => {
      this.exitCode = code;
      this.finish();
    });
  }

  private async pumpStdout(stream: ReadableStream<Uint8Array>, buffer: ReadBuffer) {
    try {
      for await (const chunk of stream) {
        buffer.append(Buffer.from(chunk));
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = buffer.readMessage();
          } catch (e) {
            this.onerror?.(e instanceof Error ? e : new Error(String(e)));
            continue;
          }
          if (!message) break;
          this.onmessage?.(message);
        }
      }
    } catch (e) {
      if (!this.closed) this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private async pumpStderr(stream: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of stream) {
        this.stderrTail = (this.stderrTail + decoder.decode(chunk, { stream: true })).slice(-STDERR_TAIL);
      }
    } catch {
      // The child went away; its exit is reported through `exited`.
    }
  }

  private finish() {
    if (this.closed) return;
    this.closed = true;
    this.buffer?.clear();
    try {
      this.spec.cleanup();
    } catch {
      // A HOME that cannot be removed is not worth failing the close over.
    }
    this.onclose?.();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const { proc, serialize } = this;
    if (!proc || !serialize || this.closed) throw new Error("The upstream process is not running");
    proc.stdin.write(serialize(message));
    proc.stdin.flush();
  }

  private signalGroup(signal: NodeJS.Signals) {
    const pid = this.proc?.pid;
    if (!pid) return;
    try {
      // setsid made the child a session (and group) leader: the whole group goes.
      process.kill(-pid, signal);
    } catch {
      try {
        this.proc?.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** Closes stdin, then SIGTERM, then SIGKILL, each after a grace period. */
  async close(): Promise<void> {
    const proc = this.proc;
    if (!proc || this.closed) return;
    try {
      proc.stdin.end();
    } catch {
      // stdin already closed
    }
    const exited = (ms: number) =>
      Promise.race([
        proc.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
      ]);
    if (!(await exited(GRACE_MS))) {
      this.signalGroup("SIGTERM");
      if (!(await exited(GRACE_MS))) {
        this.signalGroup("SIGKILL");
        await exited(GRACE_MS);
      }
    }
    // Whatever the child left behind in its group goes too.
    this.signalGroup("SIGKILL");
    this.finish();
  }
}
