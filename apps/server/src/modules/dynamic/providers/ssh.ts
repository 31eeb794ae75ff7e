import { randomBytes } from "node:crypto";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { invalid } from "@gatehouse/core";
import { formatCidr, parseCidrList } from "@gatehouse/core/net";
import {
  assertUsername,
  type DynamicProvider,
  type FieldSpec,
  list,
  normalizeFields,
  ProviderError,
  str,
} from "./types";

export const SSH_KEYGEN = "/usr/bin/ssh-keygen";

export const SSH_EXTENSIONS = [
  "permit-pty",
  "permit-port-forwarding",
  "permit-agent-forwarding",
  "permit-X11-forwarding",
  "permit-user-rc",
  "no-touch-required",
] as const;

const FIELDS: readonly FieldSpec[] = [
  {
    name: "ca_private_key",
    type: "text",
    required: true,
    sensitive: true,
    description: "The CA's ed25519 private key (OpenSSH format, no passphrase); or use generate-ca-keypair",
  },
  { name: "ca_public_key", type: "string", derived: true, description: "Derived from the private key" },
  {
    name: "principals",
    type: "list",
    required: true,
    description: "Unix users the certificate may log in as (e.g. agent)",
  },
  {
    name: "extensions",
    type: "list",
    default: ["permit-pty"],
    description: `Certificate extensions, from ${SSH_EXTENSIONS.join(", ")}`,
  },
  {
    name: "source_address",
    type: "list",
    default: [],
    description: "CIDRs the certificate may be used from (critical option source-address)",
  },
  { name: "allowed_hosts", type: "string", description: "Hosts the certificate is meant for (advisory)" },
];

const PRINCIPAL_RE = /^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}$/;
// Validity starts a minute early so a host whose clock lags a little still accepts a fresh certificate.
const SKEW_MS = 60_000;

/** A private 0700 directory, in memory when /dev/shm is writable, removed after `fn`. */
async function inPrivateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  let base = tmpdir();
  try {
    accessSync("/dev/shm", constants.W_OK);
    base = "/dev/shm";
  } catch {}
  const dir = mkdtempSync(join(base, "gh-ssh-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(bin: string, args: string[], what: string): Promise<string> {
  const proc = Bun.spawn([bin, ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: "/usr/bin:/bin", TZ: "UTC", LANG: "C" },
  });
  const timer = setTimeout(() => proc.kill(), 10_000);
  try {
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    if (code !== 0) {
      const reason = err.trim().split("\n")[0]?.slice(0, 200) || `exit code ${code}`;
      throw new ProviderError(`ssh-keygen ${what}: ${reason.replace(/\/[\w./-]*gh-ssh-\w+\/?/g, "")}`);
    }
    return out;
  } catch (e) {
    if (e instanceof ProviderError) throw e;
    throw new ProviderError(`ssh-keygen ${what}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    clearTimeout(timer);
  }
}

const stamp = (ms: number) =>
  `${new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "")}Z`;

/** A fresh ed25519 CA key pair: `private_key` stays sealed in a config, `public_key` goes to hosts. */
export async function generateCaKeypair(
  keygen = SSH_KEYGEN,
): Promise<{ privateKey: string; publicKey: string }> {
  return inPrivateDir(async (dir) => {
    const file = join(dir, "ca");
    await run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "gatehouse-ca", "-f", file], "generate CA");
    return {
      privateKey: readFileSync(file, "utf8"),
      publicKey: readFileSync(`${file}.pub`, "utf8").trim(),
    };
  });
}

/** The public key of an OpenSSH private key; refuses anything but an unencrypted ed25519 key. */
export async function caPublicKeyOf(privateKey: string, keygen = SSH_KEYGEN): Promise<string> {
  if (!privateKey.includes("-----BEGIN OPENSSH PRIVATE KEY-----")) {
    throw invalid(
      "config.ca_private_key",
      "must be an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)",
    );
  }
  const pub = await inPrivateDir(async (dir) => {
    const file = join(dir, "ca");
    writeFileSync(file, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    return run(keygen, ["-y", "-P", "", "-f", file], "read CA key").catch(() => {
      throw invalid("config.ca_private_key", "cannot be read (damaged, or protected by a passphrase)");
    });
  });
  const line = pub.trim().split(/\s+/).slice(0, 2).join(" ");
  if (!line.startsWith("ssh-ed25519 ")) throw invalid("config.ca_private_key", "must be an ed25519 key");
  return `${line} gatehouse-ca`;
}

/**
 * SSH user certificates from an ed25519 CA, signed by `ssh-keygen -s` (exact OpenSSH semantics:
 * principals, extensions after `-O clear`, source-address, an absolute UTC validity window) in a
 * private temporary directory that is removed at once. Each checkout gets a fresh key pair.
 * Revocation is expiry: a certificate stays valid until `valid_before`, so keep TTLs short.
 */
export function sshCertProvider(deps: { keygen?: string } = {}): DynamicProvider {
  const keygen = deps.keygen ?? SSH_KEYGEN;
  return {
    type: "ssh-cert",
    label: "SSH certificates",
    fields: FIELDS,
    maxUsernameLength: 64,
    revocation: "expiry",
    renewable: false,

    async validateConfig(input) {
      const { ca_public_key: _derived, ...rest } = input;
      const c = normalizeFields(FIELDS, rest);
      c.ca_public_key = await caPublicKeyOf(str(c, "ca_private_key"), keygen);
      for (const p of list(c, "principals")) {
        if (!PRINCIPAL_RE.test(p)) throw invalid("config.principals", `"${p}" is not a valid user name`);
      }
      for (const e of list(c, "extensions")) {
        if (!(SSH_EXTENSIONS as readonly string[]).includes(e)) {
          throw invalid("config.extensions", `"${e}" is not allowed (allowed: ${SSH_EXTENSIONS.join(", ")})`);
        }
      }
      c.source_address = parseCidrList(list(c, "source_address"), "config.source_address").map(formatCidr);
      return c;
    },

    async test(c) {
      await caPublicKeyOf(str(c, "ca_private_key"), keygen).catch((e: unknown) => {
        throw new ProviderError(e instanceof Error ? e.message : "the CA key cannot be read");
      });
    },

    async create(c, req) {
      const keyId = assertUsername(req.username);
      const principals = list(c, "principals");
      const from = req.createdAt - SKEW_MS;
      const serial = BigInt(`0x${randomBytes(8).toString("hex")}`) & 0x7fff_ffff_ffff_ffffn;
      const options = ["-O", "clear", ...list(c, "extensions").flatMap((e) => ["-O", e])];
      const sources = list(c, "source_address");
      if (sources.length) options.push("-O", `source-address=${sources.join(",")}`);
      const issued = await inPrivateDir(async (dir) => {
        const ca = join(dir, "ca");
        const key = join(dir, "id_ed25519");
        writeFileSync(ca, str(c, "ca_private_key").replace(/\n?$/, "\n"), { mode: 0o600 });
        await run(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", keyId, "-f", key], "generate key");
        await run(
          keygen,
          [
            "-q",
            "-s",
            ca,
            "-I",
            keyId,
            "-n",
            principals.join(","),
            "-V",
            `${stamp(from)}:${stamp(req.expiresAt)}`,
            "-z",
            serial.toString(),
            ...options,
            `${key}.pub`,
          ],
          "sign",
        );
        return {
          privateKey: readFileSync(key, "utf8"),
          publicKey: readFileSync(`${key}.pub`, "utf8").trim(),
          certificate: readFileSync(`${key}-cert.pub`, "utf8").trim(),
        };
      });
      const allowedHosts = str(c, "allowed_hosts");
      const principal = principals[0] ?? "user";
      return {
        private_key: issued.privateKey,
        public_key: issued.publicKey,
        certificate: issued.certificate,
        cert_id: keyId,
        serial: serial.toString(),
        principals,
        extensions: list(c, "extensions"),
        valid_after: new Date(from).toISOString(),
        valid_before: new Date(req.expiresAt).toISOString(),
        valid_seconds: Math.round((req.expiresAt - from) / 1000),
        ca_public_key: str(c, "ca_public_key"),
        ...(allowedHosts ? { allowed_hosts: allowedHosts } : {}),
        usage: `Save private_key as id_ed25519 (chmod 600) and certificate as id_ed25519-cert.pub, then: ssh -i id_ed25519 -o CertificateFile=id_ed25519-cert.pub ${principal}@<host>`,
      };
    },

    // Nothing to remove: hosts trust the CA, and the certificate ends at valid_before.
    async revoke() {},

    async listActive() {
      return [];
    },
  };
}

/** What a host needs to trust certificates from this CA. */
export function sshdSetup(publicKey: string): { sshd_config: string; instructions: string } {
  return {
    sshd_config: "TrustedUserCAKeys /etc/ssh/gatehouse_user_ca.pub",
    instructions: [
      `1. Save the CA public key on the host: echo '${publicKey}' > /etc/ssh/gatehouse_user_ca.pub`,
      "2. Add to /etc/ssh/sshd_config: TrustedUserCAKeys /etc/ssh/gatehouse_user_ca.pub",
      "3. Make sure each principal exists as a Unix user (useradd -m agent) and is not locked",
      "4. Reload sshd: systemctl reload ssh (or sshd)",
      "Certificates cannot be revoked early (no KRL is published): they end at valid_before, so keep TTLs short.",
    ].join("\n"),
  };
}
