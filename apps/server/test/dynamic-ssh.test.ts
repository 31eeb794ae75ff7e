import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { agentToken, createPolicy } from "./harness/agents";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";
import { checkout, type Err, leaseRow, revoke, saveConfig } from "./harness/dynamic";
import { type Sshd, startSshd } from "./harness/sshd";

// SSH certificates against a real sshd on loopback that trusts the CA (TrustedUserCAKeys).

const ROOT = "root-token-for-dynamic-ssh-tests-0123456789ab";
const started = performance.now();
let sshd: Sshd;

beforeAll(async () => {
  sshd = await startSshd(["agent", "ghother"]);
});
afterAll(async () => {
  await sshd.close();
  console.log(`dynamic SSH suite done after ${Math.round(performance.now() - started)} ms`);
});

type SshCredential = {
  private_key: string;
  public_key: string;
  certificate: string;
  cert_id: string;
  serial: string;
  principals: string[];
  valid_after: string;
  valid_before: string;
  valid_seconds: number;
  ca_public_key: string;
  usage: string;
};

/** `ssh-keygen -L` of a certificate, in UTC. */
function inspect(certificate: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-cert-"));
  try {
    writeFileSync(join(dir, "c-cert.pub"), `${certificate}\n`);
    const r = spawnSync("ssh-keygen", ["-L", "-f", join(dir, "c-cert.pub")], {
      encoding: "utf8",
      env: { ...process.env, TZ: "UTC" },
    });
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function keygen(type: string): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-key-"));
  try {
    spawnSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-f", join(dir, "k")]);
    return readFileSync(join(dir, "k"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const engine of ENGINES) {
  describe(`dynamic SSH certificates on ${engine}`, () => {
    let t: TestApp;
    let clock = Date.now();
    let agent: { identity: string; token: string };
    let caPublicKey = "";
    const path = `ssh/prod-${engine}`;

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT }, { now: () => clock });
      await createPolicy(t, ROOT, "ssh-lease", [{ paths: ["ssh/**"], capabilities: ["lease"] }]);
      agent = await agentToken(t, ["ssh-lease"]);
    });
    afterAll(() => t.close());

    test("generate-ca-keypair: the public key only; the private key stays sealed in the config", async () => {
      const r = await t.req<
        { public_key: string; path: string; created: boolean; sshd_config: string } & Err
      >("POST", "/v1/dynamic/generate-ca-keypair", {
        token: ROOT,
        body: { path, config: { principals: ["agent"] } },
      });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ path, created: true, provider_type: "ssh-cert" });
      expect(r.body.public_key).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ gatehouse-ca$/);
      expect(r.body.sshd_config).toContain("TrustedUserCAKeys");
      expect(r.text).not.toContain("PRIVATE KEY");
      caPublicKey = r.body.public_key;
      const { dynamicConfigs } = t.ctx.store.t;
      const [row] = await t.ctx.store.db.select().from(dynamicConfigs).where(eq(dynamicConfigs.path, path));
      expect(row?.config).toMatch(/^v1\./);
      expect(row?.config).not.toContain("OPENSSH");
      const got = await t.req<{ config: Record<string, unknown> }>("GET", `/v1/dynamic/${path}`, {
        token: ROOT,
      });
      expect(got.body.config).toMatchObject({
        ca_private_key: "***",
        ca_public_key: caPublicKey,
        principals: ["agent"],
        extensions: ["permit-pty"],
      });
      // Once only, unless replacing; global admins only; a path is required.
      expect(
        (await t.req<Err>("POST", "/v1/dynamic/generate-ca-keypair", { token: ROOT, body: { path } })).status,
      ).toBe(409);
      const denied = await t.req<Err>("POST", "/v1/dynamic/generate-ca-keypair", {
        token: agent.token,
        body: { path: "ssh/mine", config: { principals: ["agent"] } },
      });
      expect(denied.status).toBe(403);
      expect(
        (await t.req<Err>("POST", "/v1/dynamic/generate-ca-keypair", { token: ROOT, body: {} })).status,
      ).toBe(400);
      const noPrincipals = await t.req<Err>("POST", "/v1/dynamic/generate-ca-keypair", {
        token: ROOT,
        body: { path: "ssh/none" },
      });
      expect(noPrincipals.body.field).toBe("config.principals");
    });

    test("ca-pubkey: for the path's admins and lessees, with the sshd setup", async () => {
      const r = await t.req<{ public_key: string; instructions: string }>(
        "GET",
        `/v1/dynamic/${path}/ca-pubkey`,
        {
          token: agent.token,
        },
      );
      expect(r.status, r.text).toBe(200);
      expect(r.body.public_key).toBe(caPublicKey);
      expect(r.body.instructions).toContain("TrustedUserCAKeys");
      const outsider = (await agentToken(t, [])).token;
      expect((await t.req<Err>("GET", `/v1/dynamic/${path}/ca-pubkey`, { token: outsider })).status).toBe(
        403,
      );
      expect((await t.req<Err>("GET", "/v1/dynamic/ssh/missing/ca-pubkey", { token: ROOT })).status).toBe(
        404,
      );
      await saveConfig(t, ROOT, "ssh/not-ssh", "redis", { host: "127.0.0.1", password: "x" });
      const notSsh = await t.req<Err>("GET", "/v1/dynamic/ssh/not-ssh/ca-pubkey", { token: ROOT });
      expect(notSsh.status).toBe(400);
    });

    test("a certificate for principal agent logs in as agent, and only as agent", async () => {
      sshd.trustCa(caPublicKey);
      const r = await checkout<SshCredential>(t, agent.token, path, { ttl: 300 });
      expect(r.status, r.text).toBe(200);
      const c = r.body.credential;
      expect(c.private_key).toContain("BEGIN OPENSSH PRIVATE KEY");
      expect(c.certificate).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
      expect(c).toMatchObject({ principals: ["agent"], ca_public_key: caPublicKey, valid_seconds: 360 });
      expect(c.valid_before).toBe(r.body.expires_at);
      const login = await sshd.ssh("agent", c, "id -un");
      expect(login, login.stderr).toMatchObject({ code: 0, stdout: "agent" });
      const other = await sshd.ssh("ghother", c, "id -un");
      expect(other.code).toBe(255);
      expect(other.stderr).toContain("Permission denied");

      const info = inspect(c.certificate);
      expect(info).toContain("user certificate");
      expect(info).toContain(`Key ID: "${c.cert_id}"`);
      expect(info).toContain(`Serial: ${c.serial}`);
      expect(info).toMatch(/Principals: \n\s+agent\n/);
      expect(info).toMatch(/Extensions: \n\s+permit-pty\n/);
      expect(info).not.toContain("permit-port-forwarding");
      expect(info).toContain(`Valid: from ${c.valid_after.slice(0, 19)} to ${c.valid_before.slice(0, 19)}`);
      expect(c.cert_id).toMatch(/^gh_/);
    });

    test("refused after its validity, with another CA, and outside its source-address", async () => {
      // An hour ago, for ten minutes: the window has passed.
      clock = Date.now() - 3_600_000;
      const old = await checkout<SshCredential>(t, agent.token, path, { ttl: 600 });
      clock = Date.now();
      expect(old.status).toBe(200);
      expect((await sshd.ssh("agent", old.body.credential)).code).toBe(255);

      const other = await t.req("POST", "/v1/dynamic/generate-ca-keypair", {
        token: ROOT,
        body: { path: `ssh/other-${engine}`, config: { principals: "agent" } },
      });
      expect(other.status).toBe(201);
      const untrusted = await checkout<SshCredential>(t, agent.token, `ssh/other-${engine}`);
      expect((await sshd.ssh("agent", untrusted.body.credential)).code).toBe(255);

      await saveConfig(t, ROOT, path, "ssh-cert", { principals: ["agent"], source_address: ["10.0.0.0/8"] });
      const fenced = await checkout<SshCredential>(t, agent.token, path);
      expect(inspect(fenced.body.credential.certificate)).toContain("source-address 10.0.0.0/8");
      expect((await sshd.ssh("agent", fenced.body.credential)).code).toBe(255);
      // Back to the plain config; the blank CA key was kept by the save above.
      await saveConfig(t, ROOT, path, "ssh-cert", {
        principals: ["agent"],
        extensions: "permit-pty, permit-port-forwarding",
      });
      const plain = await checkout<SshCredential>(t, agent.token, path);
      expect(inspect(plain.body.credential.certificate)).toContain("permit-port-forwarding");
      expect((await sshd.ssh("agent", plain.body.credential)).code).toBe(0);
    });

    test("an imported CA: ed25519 only, unreadable keys refused; revoke is expiry; no renew", async () => {
      const imported = keygen("ed25519");
      const saved = await saveConfig(t, ROOT, `ssh/imported-${engine}`, "ssh-cert", {
        ca_private_key: imported,
        principals: ["agent"],
      });
      expect(saved.status).toBe(201);
      expect(saved.text).not.toContain("PRIVATE KEY");
      for (const [key, message] of [
        [keygen("ecdsa"), "must be an ed25519 key"],
        [
          "-----BEGIN OPENSSH PRIVATE KEY-----\ngarbage\n-----END OPENSSH PRIVATE KEY-----\n",
          "cannot be read",
        ],
        ["not a key", "OpenSSH private key"],
      ] as const) {
        const r = await t.req<Err>("POST", "/v1/dynamic", {
          token: ROOT,
          body: {
            path: "ssh/bad",
            provider_type: "ssh-cert",
            config: { ca_private_key: key, principals: ["agent"] },
          },
        });
        expect(r.status).toBe(400);
        expect(r.body.field).toBe("config.ca_private_key");
        expect(r.body.error).toContain(message);
      }
      for (const [config, field] of [
        [{ principals: ["agent,root"] }, "config.principals"],
        [{ principals: ["agent"], extensions: ["permit-everything"] }, "config.extensions"],
        [{ principals: ["agent"], source_address: ["not-a-cidr"] }, "config.source_address"],
      ] as const) {
        const r = await t.req<Err>("POST", "/v1/dynamic", {
          token: ROOT,
          body: { path: `ssh/imported-${engine}`, provider_type: "ssh-cert", config },
        });
        expect(r.status, JSON.stringify(config)).toBe(400);
        expect(r.body.field).toBe(field);
      }
      const ok = await t.req<{ ok: boolean }>("POST", `/v1/dynamic/ssh/imported-${engine}/validate`, {
        token: ROOT,
      });
      expect(ok.body).toEqual({ ok: true });

      const r = await checkout<SshCredential>(t, agent.token, `ssh/imported-${engine}`);
      const renew = await t.req<Err>("POST", `/v1/lease/${r.body.lease_id}/renew`, { token: agent.token });
      expect(renew.status).toBe(409);
      expect(renew.body.error).toContain("cannot be renewed");
      expect((await revoke(t, agent.token, r.body.lease_id)).status).toBe(200);
      expect(await leaseRow(t, r.body.lease_id)).toMatchObject({ status: "revoked", credential: null });
      const providers = await t.req<{ details: { type: string; revocation: string }[] }>(
        "GET",
        "/v1/dynamic/providers",
        { token: agent.token },
      );
      expect(providers.body.details.find((d) => d.type === "ssh-cert")?.revocation).toBe("expiry");
    });
  });
}
