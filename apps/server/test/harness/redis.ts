import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RedisClient, type Subprocess } from "bun";
import { freePort } from "./postgres";

// A throwaway Redis on a free loopback port, no persistence, the default user behind a password.

export interface RedisServer {
  port: number;
  /** A client logged in as `user` (default: the admin), connected. */
  client(user?: string, password?: string): Promise<RedisClient>;
  /** Freezes the process (SIGSTOP): connections hang, as with a dead host. `resume` thaws it. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startRedis(adminPassword: string): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "gh-redis-"));
  const port = await freePort();
  const proc: Subprocess = Bun.spawn(
    [
      "redis-server",
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--protected-mode",
      "yes",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--requirepass",
      adminPassword,
      "--daemonize",
      "no",
    ],
    { stdout: "ignore", stderr: "ignore", stdin: "ignore" },
  );

  async function client(user = "default", password = adminPassword) {
    const c = new RedisClient(
      `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
      { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 2000 },
    );
    await c.connect();
    return c;
  }

  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const c = await client();
      await c.send("PING", []);
      c.close();
      break;
    } catch (e) {
      if (proc.exitCode !== null || Date.now() > deadline)
        throw new Error(`redis-server did not start: ${String(e)}`);
      await Bun.sleep(50);
    }
  }
  return {
    port,
    client,
    pause: () => proc.kill("SIGSTOP"),
    resume: () => proc.kill("SIGCONT"),
    async close() {
      proc.kill("SIGCONT");
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
