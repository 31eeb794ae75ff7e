import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "./postgres";

// A throwaway OpenSSH server (as root): a generated host key, test users created with useradd,
// TrustedUserCAKeys pointing at a file the test writes, public keys only, a free loopback port.

export interface Sshd {
  port: number;
  /** Writes the CA public key that sshd trusts for user certificates (read at each login). */
  trustCa(publicKey: string): void;
  /** Runs `command` over ssh as `user` with a private key and its certificate; never prompts. */
  ssh(
    user: string,
    credential: { private_key: string; certificate: string },
    command?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Creates the Unix user if missing (idempotent) and unlocks it for key logins (`*`, not `!`). */
export function ensureUser(name: string) {
  if (spawnSync("id", [name]).status !== 0) run("useradd", ["-m", "-s", "/bin/sh", name]);
  run("usermod", ["-p", "*", name]);
}

function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startSshd(users: string[]): Promise<Sshd> {
  if (process.getuid?.() !== 0)
    throw new Error("the sshd harness runs as root (useradd, privilege separation)");
  for (const u of users) ensureUser(u);
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "gh-sshd-"));
  chmodSync(dir, 0o755);
  const hostKey = join(dir, "ssh_host_ed25519_key");
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "gatehouse-test-host", "-f", hostKey]);
  const trusted = join(dir, "trusted_user_ca.pub");
  writeFileSync(trusted, "");
  const port = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `TrustedUserCAKeys ${trusted}`,
      "AuthorizedKeysFile none",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      "PermitRootLogin no",
      "StrictModes no",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  const proc: Subprocess = Bun.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", config], {
    stdout: "ignore",
    stderr: "ignore",
    stdin: "ignore",
  });
  await waitForPort(port, 10_000);

  return {
    port,
    trustCa(publicKey) {
      writeFileSync(trusted, `${publicKey.trim()}\n`);
    },
    async ssh(user, credential, command = "id -un") {
      const keys = mkdtempSync(join(tmpdir(), "gh-sshkey-"));
      try {
        const key = join(keys, "id_ed25519");
        writeFileSync(key, credential.private_key, { mode: 0o600 });
        writeFileSync(`${key}-cert.pub`, `${credential.certificate}\n`, { mode: 0o600 });
        const p = Bun.spawn(
          [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            key,
            "-o",
            `CertificateFile=${key}-cert.pub`,
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=5",
            "-p",
            String(port),
            `${user}@127.0.0.1`,
            command,
          ],
          { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
        );
        const [stdout, stderr, code] = await Promise.all([
          new Response(p.stdout).text(),
          new Response(p.stderr).text(),
          p.exited,
        ]);
        return { code, stdout: stdout.trim(), stderr: stderr.trim() };
      } finally {
        rmSync(keys, { recursive: true, force: true });
      }
    },
    async close() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
