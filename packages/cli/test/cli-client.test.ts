import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentToken, createPolicy, userToken } from "../../../apps/server/test/harness/agents";
import { CANARY } from "../../../apps/server/test/harness/app";
import { enrollTotp, nextCode, PASSWORD, seedUser } from "../../../apps/server/test/harness/users";
import { COMMANDS } from "../src/commands";
import { cleanupHomes, cli, type LiveServer, liveServer, tempHome } from "./harness";

// Every client command, as the real binary, against a real server on loopback (SQLite).

const ROOT = "root-token-for-cli-client-tests-0123456789abcdef";
type Body = Record<string, unknown>;

let s: LiveServer;
let home: string;
let admin: { username: string };
let approver: { token: string };
let agent: { token: string; identity: string };

/** The CLI with a token (root unless given) and the server URL in its environment. */
const as = (token: string, args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
  cli(args, { home, stdin: opts.stdin, env: { GATEHOUSE_URL: s.url, GATEHOUSE_TOKEN: token, ...opts.env } });
const root = (args: string[], opts?: { stdin?: string; env?: Record<string, string> }) =>
  as(ROOT, args, opts);

beforeAll(async () => {
  s = await liveServer("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
  home = tempHome();
  const a = await seedUser(s.t, { role: "admin" });
  admin = { username: a.username };
  approver = await userToken(s.t, "approver");
  await createPolicy(s.t, ROOT, "cli-agent", [
    { paths: ["team/**"], capabilities: ["read", "lease", "list", "write"] },
    { paths: ["gated/**"], capabilities: ["read", "lease"], approval: { required: true } },
  ]);
  agent = await agentToken(s.t, ["cli-agent"]);
  for (const p of ["team/api", "gated/db", "gated/lease", "gated/denied", "ops/root-only"])
    expect((await s.t.req("POST", `/v1/secrets/${p}`, { token: ROOT, body: { value: CANARY } })).status).toBe(
      201,
    );
});

afterAll(async () => {
  await s?.close();
  cleanupHomes();
});

describe("gatehouse login / whoami / logout", () => {
  test("a user with a password: prompted on stdin, token saved mode 0600 and used afterwards", async () => {
    const h = tempHome();
    const r = await cli(["login", "--url", s.url, "-u", admin.username], { home: h, stdin: `${PASSWORD}\n` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`as user:${admin.username}`);
    const file = join(h, ".config/gatehouse/credentials");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(h, ".config/gatehouse")).mode & 0o777).toBe(0o700);
    const saved = JSON.parse(readFileSync(file, "utf8")) as Body;
    expect(saved).toMatchObject({ url: s.url, identity: `user:${admin.username}`, method: "password" });
    expect(readFileSync(file, "utf8")).not.toContain(PASSWORD);
    // No URL or token needed any more.
    const who = await cli(["whoami"], { home: h });
    expect(who.code).toBe(0);
    expect(who.stdout).toBe(`user:${admin.username}\n`);
    const ls = await cli(["secrets", "ls", "--json"], { home: h });
    expect(ls.code).toBe(0);
    // GATEHOUSE_TOKEN wins over the saved login.
    const other = await cli(["whoami", "--json"], { home: h, env: { GATEHOUSE_TOKEN: agent.token } });
    expect((JSON.parse(other.stdout) as Body).identity).toBe(agent.identity);
    const out = await cli(["logout"], { home: h });
    expect(out.code).toBe(0);
    expect(existsSync(file)).toBe(false);
    const after = await cli(["secrets", "ls"], { home: h, env: { GATEHOUSE_URL: s.url } });
    expect(after.code).toBe(3);
    expect(after.stderr).toContain("not signed in");
  });

  test("a wrong password exits 3; --password-stdin reads the first line", async () => {
    const h = tempHome();
    const bad = await cli(["login", "--url", s.url, "-u", admin.username, "--password-stdin"], {
      home: h,
      stdin: "wrong-password\n",
    });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain("sign-in refused");
    expect(existsSync(join(h, ".config/gatehouse/credentials"))).toBe(false);
  });

  test("a user with TOTP: --totp, a prompt on the next stdin line, or a recovery code", async () => {
    const u = await seedUser(s.t, { role: "viewer" });
    const { token } = await s.t.ctx.jwt.sign({ typ: "user", uid: u.id, ver: u.tokenVersion }, 3600);
    const { secret, recoveryCodes } = await enrollTotp(s.t, { token });
    const h = tempHome();
    const withFlag = await cli(["login", "--url", s.url, "-u", u.username, "--totp", nextCode(secret)], {
      home: h,
      stdin: `${PASSWORD}\n`,
    });
    expect(withFlag.code, withFlag.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(h, ".config/gatehouse/credentials"), "utf8")) as Body).method).toBe(
      "totp",
    );
    const noCode = await cli(["login", "--url", s.url, "-u", u.username], {
      home: tempHome(),
      stdin: `${PASSWORD}\n`,
    });
    expect(noCode.code).toBe(3);
    expect(noCode.stderr).toContain("TOTP code");
    const replay = await cli(["login", "--url", s.url, "-u", u.username], {
      home: tempHome(),
      stdin: `${PASSWORD}\n${nextCode(secret)}\n`,
    });
    expect(replay.code).toBe(3);
    const recovery = await cli(["login", "--url", s.url, "-u", u.username, "--json"], {
      home: tempHome(),
      stdin: `${PASSWORD}\n${recoveryCodes[0]}\n`,
    });
    expect(recovery.code, recovery.stderr).toBe(0);
    expect(recovery.stderr).toContain("recovery code was used");
    expect((JSON.parse(recovery.stdout) as Body).identity).toBe(`user:${u.username}`);
    expect(recovery.stdout).not.toContain("eyJ");
  });

  test("a personal access token, and an AppRole", async () => {
    const u = await seedUser(s.t, { role: "admin" });
    const { token } = await s.t.ctx.jwt.sign({ typ: "user", uid: u.id, ver: u.tokenVersion }, 3600);
    const at = await s.t.req<{ token: string }>("POST", "/v1/me/tokens", { token, body: { name: "cli" } });
    expect(at.status).toBe(201);
    const h = tempHome();
    const r = await cli(["login", "--url", s.url, "--token", at.body.token], { home: h });
    expect(r.code, r.stderr).toBe(0);
    expect((await cli(["whoami"], { home: h })).stdout).toBe(`user:${u.username}\n`);
    const bad = await cli(["login", "--url", s.url, "--token", "gh_not_a_real_token"], { home: tempHome() });
    expect(bad.code).toBe(3);

    const role = await s.t.req<{ role_id: string; secret_id: string }>("POST", "/v1/auth/approle", {
      token: ROOT,
      body: { display_name: "cli-login", policies: ["cli-agent"] },
    });
    const h2 = tempHome();
    const ar = await cli(["login", "--url", s.url, "--role-id", role.body.role_id], {
      home: h2,
      env: { GATEHOUSE_SECRET_ID: role.body.secret_id },
    });
    expect(ar.code, ar.stderr).toBe(0);
    expect((await cli(["secrets", "get", "team/api"], { home: h2 })).stdout).toBe(`${CANARY}\n`);
    const wrong = await cli(
      ["login", "--url", s.url, "--role-id", role.body.role_id, "--secret-id", "nope"],
      {
        home: tempHome(),
      },
    );
    expect(wrong.code).toBe(3);
  });
});

describe("gatehouse secrets", () => {
  test("put (stdin, argument, metadata), get, versions, ls, rm", async () => {
    const put = await root(["secrets", "put", "cli/demo", "-m", "description=first", "-m", "owner=ops"], {
      stdin: "value-one\n",
    });
    expect(put.code, put.stderr).toBe(0);
    expect(put.stderr).toContain("Created cli/demo (version 1)");
    expect((await root(["secrets", "put", "cli/demo", "value-two"])).stderr).toContain("version 2");
    const get = await root(["secrets", "get", "cli/demo"]);
    expect(get).toMatchObject({ code: 0, stdout: "value-two\n" });
    expect((await root(["secrets", "get", "cli/demo", "--no-newline"])).stdout).toBe("value-two");
    expect((await root(["secrets", "get", "cli/demo", "--version", "1"])).stdout).toBe("value-one\n");
    const json = JSON.parse((await root(["secrets", "get", "cli/demo", "--json"])).stdout) as Body;
    expect(json).toMatchObject({ path: "cli/demo", value: "value-two", version: 2 });
    const ls = await root(["secrets", "ls", "cli/"]);
    expect(ls.stdout).toMatch(/^PATH\s+VERSION\s+UPDATED/);
    expect(ls.stdout).toContain("cli/demo");
    const lsJson = JSON.parse((await root(["secrets", "ls", "cli/", "--json"])).stdout) as {
      secrets: Body[];
    };
    expect(lsJson.secrets.map((x) => x.path)).toEqual(["cli/demo"]);
    expect(lsJson.secrets[0]?.metadata).toEqual({ description: "first", owner: "ops" });
    const rm = await root(["secrets", "rm", "cli/demo"]);
    expect(rm.code).toBe(0);
    const gone = await root(["secrets", "get", "cli/demo"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("HTTP 404");
  });

  test("import a .env file: dry run, then for real", async () => {
    const file = join(home, "app.env");
    writeFileSync(file, "DB_PASSWORD=hunter2-long\nAPI_KEY=abc123-long\n");
    const dry = await root(["secrets", "import", file, "--prefix", "imported", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trim().split("\n").sort()).toEqual(["imported/api-key", "imported/db-password"]);
    expect((await root(["secrets", "get", "imported/db-password"])).code).toBe(1);
    const real = await root(["secrets", "import", "-", "--prefix", "imported"], {
      stdin: readFileSync(file, "utf8"),
    });
    expect(real.code).toBe(0);
    expect(real.stderr).toContain("Imported 2 secret(s)");
    expect((await root(["secrets", "get", "imported/db-password"])).stdout).toBe("hunter2-long\n");
  });

  test("forbidden is exit 3; a read that needs approval is exit 4 with the request id", async () => {
    const denied = await as(agent.token, ["secrets", "get", "ops/root-only"]);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain("HTTP 403");
    const pending = await as(agent.token, ["secrets", "get", "gated/db"]);
    expect(pending.code).toBe(4);
    expect(pending.stdout).toBe("");
    const id = /request (apr-[0-9a-f-]+)/.exec(pending.stderr)?.[1];
    expect(id).toBeDefined();
    const list = await as(approver.token, ["requests", "ls", "--json"]);
    const found = (JSON.parse(list.stdout) as { requests: Body[] }).requests.find((r) => r.request_id === id);
    expect(found).toMatchObject({ path: "gated/db", status: "pending", identity: agent.identity });
    const table = await as(approver.token, ["requests", "ls"]);
    expect(table.stdout).toContain(id as string);
    const ok = await as(approver.token, ["requests", "approve", id as string, "--ttl", "120"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain(`Approved ${id}`);
    // The approval left a grant: the same read now goes through.
    expect((await as(agent.token, ["secrets", "get", "gated/db"])).stdout).toBe(`${CANARY}\n`);
    const again = await as(approver.token, ["requests", "approve", id as string]);
    expect(again.code).toBe(1);
  });

  test("--wait waits for the human: approved gives the value, denied exits 3 with the reason", async () => {
    const waiting = as(agent.token, [
      "secrets",
      "get",
      "gated/denied",
      "--wait",
      "20",
      "--reason",
      "nightly report",
    ]);
    const id = await pendingFor("gated/denied");
    const req = (await s.t.req<Body>("GET", `/v1/requests/${id}`, { token: approver.token })).body;
    expect(req.reason).toBe("nightly report");
    const deny = await as(approver.token, ["requests", "deny", id, "--reason", "not tonight"]);
    expect(deny.code, deny.stderr).toBe(0);
    const r = await waiting;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("denied: not tonight");
    expect((await as(approver.token, ["requests", "deny", id])).code).toBe(2);
  });
});

/** The id of the pending request for `path`, once the agent's call has created it. */
async function pendingFor(path: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const r = await s.t.req<{ requests: Body[] }>("GET", "/v1/requests?status=pending", {
      token: approver.token,
    });
    const id = r.body.requests.find((x) => x.path === path)?.request_id;
    if (typeof id === "string") return id;
    await Bun.sleep(25);
  }
  throw new Error(`no pending request for ${path}`);
}

describe("gatehouse lease", () => {
  test("get, ls, renew, revoke", async () => {
    const got = await as(agent.token, ["lease", "get", "team/api", "--ttl", "60"]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toBe(`${CANARY}\n`);
    const id = /lease (lease-[0-9a-f-]+)/.exec(got.stderr)?.[1] as string;
    expect(id).toBeDefined();
    const ls = await as(agent.token, ["lease", "ls"]);
    expect(ls.stdout).toContain(id);
    const renew = await as(agent.token, ["lease", "renew", id, "--ttl", "600", "--json"]);
    expect(renew.code).toBe(0);
    expect((JSON.parse(renew.stdout) as { lease: Body }).lease.ttl_seconds).toBe(600);
    const revoke = await as(agent.token, ["lease", "revoke", id]);
    expect(revoke.code).toBe(0);
    expect((await as(agent.token, ["lease", "renew", id])).code).toBe(1);
    expect((await as(agent.token, ["lease", "ls", "--all", "--json"])).stdout).toContain(id);
    const bad = await as(agent.token, ["lease", "get", "team/api", "--ttl", "5"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("ttl");
  });

  test("a lease that needs approval: --wait, then the approved lease and value are collected", async () => {
    const waiting = as(agent.token, ["lease", "get", "gated/lease", "--wait", "20", "--json"]);
    const id = await pendingFor("gated/lease");
    expect((await as(approver.token, ["requests", "approve", id])).code).toBe(0);
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { lease: Body; value: string };
    expect(body.value).toBe(CANARY);
    expect(String(body.lease.id)).toStartWith("lease-");
  });
});

describe("gatehouse approle", () => {
  test("create, ls, rotate, onboard", async () => {
    const created = await root([
      "approle",
      "create",
      "--name",
      "cli-bot",
      "--policy",
      "cli-agent",
      "--cidr",
      "127.0.0.0/8",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const role = JSON.parse(created.stdout) as { role_id: string; secret_id: string };
    const text = await root(["approle", "ls"]);
    expect(text.stdout).toContain(role.role_id);
    expect(text.stdout).toContain("127.0.0.0/8");
    const rotated = await root(["approle", "rotate", role.role_id]);
    expect(rotated.code).toBe(0);
    const secretId = /secret_id\s+(\S+)/.exec(rotated.stdout)?.[1] as string;
    expect(secretId).not.toBe(role.secret_id);
    const old = await s.t.req("POST", "/v1/auth/approle/login", {
      body: { role_id: role.role_id, secret_id: role.secret_id },
    });
    expect(old.status).toBe(401);
    const fresh = await s.t.req("POST", "/v1/auth/approle/login", {
      body: { role_id: role.role_id, secret_id: secretId },
    });
    expect(fresh.status).toBe(200);
    const link = await root(["approle", "onboard", role.role_id, "--ttl", "300", "--label", "laptop"]);
    expect(link.code, link.stderr).toBe(0);
    const url = link.stdout.trim();
    expect(url).toStartWith(`${s.url}/v1/onboard/`);
    expect((await fetch(url)).status).toBe(200);
    expect((await root(["approle", "create", "--name", "x"])).code).toBe(2);
    expect((await as(agent.token, ["approle", "ls"])).code).toBe(3);
    expect((await root(["approle", "rotate", "role-does-not-exist"])).code).toBe(1);
  });
});

describe("gatehouse policy", () => {
  test("apply (create, then update) from YAML, ls, test", async () => {
    const file = join(home, "ci.yaml");
    writeFileSync(
      file,
      "name: cli-ci\nrules:\n  - paths: ['ci/**']\n    capabilities: [read, lease]\n    approval: { required: true, max_ttl: 900 }\n",
    );
    const dry = await root(["policy", "apply", file, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect((await s.t.req("GET", "/v1/policy/cli-ci", { token: ROOT })).status).toBe(404);
    const created = await root(["policy", "apply", file]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain("Created policy cli-ci");
    writeFileSync(file, "name: cli-ci\nrules:\n  - paths: ['ci/*']\n    capabilities: [read]\n");
    const updated = await root(["policy", "apply", file, "--json"]);
    expect(updated.code).toBe(0);
    expect((JSON.parse(updated.stdout) as { applied: Body[] }).applied[0]?.action).toBe("updated");
    const ls = await root(["policy", "ls"]);
    expect(ls.stdout).toMatch(/cli-ci\s+db\s+1/);
    expect(ls.stdout).toContain("admin");
    const readAs = (policies: string, path: string) =>
      root(["policy", "test", "--policies", policies, "--capability", "read", "--path", path]);
    const allowed = await readAs("cli-ci", "ci/build");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toStartWith("allowed");
    const denied = await readAs("cli-ci", "ci/a/b");
    expect(denied.code).toBe(1);
    expect(denied.stdout).toStartWith("denied");
    const gated = await root([
      "policy",
      "test",
      "--approle",
      agent.identity.slice("approle:".length),
      "--capability",
      "read",
      "--path",
      "gated/x",
      "--json",
    ]);
    expect((JSON.parse(gated.stdout) as { decision: Body }).decision).toMatchObject({
      allowed: true,
      approval: "required",
    });
    writeFileSync(join(home, "bad.yaml"), "name: bad\nrules:\n  - paths: ['a?']\n    capabilities: [read]\n");
    const bad = await root(["policy", "apply", join(home, "bad.yaml")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("bad.yaml");
    expect((await root(["policy", "test", "--capability", "read", "--path", "x"])).code).toBe(2);
  });
});

describe("usage, help and exit codes", () => {
  test("--help works for every command and subcommand", async () => {
    for (const c of COMMANDS) {
      const r = await cli([c.name, "--help"], { home });
      expect(r.code, c.name).toBe(0);
      expect(r.stderr).toContain(`gatehouse ${c.name}`);
      const subs = [...r.stderr.matchAll(/^ {2}([a-z0-9-]+) {2,}/gm)]
        .map((m) => m[1] as string)
        .filter((x) => !x.startsWith("-"));
      if (r.stderr.includes("Subcommands:")) {
        expect(subs.length).toBeGreaterThan(0);
        for (const sub of subs) {
          const sr = await cli([c.name, sub, "--help"], { home });
          expect(sr.code, `${c.name} ${sub}`).toBe(0);
          expect(sr.stderr).toContain("Usage:");
        }
      }
    }
    const top = await cli(["--help"], { home });
    expect(top.code).toBe(0);
    expect(top.stderr).toContain("Exit codes");
  }, 120_000);

  test("usage errors exit 2; an unreachable server exits 1", async () => {
    expect((await cli([], { home })).code).toBe(2);
    expect((await cli(["nope"], { home })).code).toBe(2);
    expect((await root(["secrets"])).code).toBe(2);
    expect((await root(["secrets", "frobnicate"])).code).toBe(2);
    expect((await root(["secrets", "get"])).code).toBe(2);
    expect((await root(["secrets", "get", "a", "b"])).code).toBe(2);
    expect((await root(["secrets", "get", "a", "--bogus"])).code).toBe(2);
    expect((await root(["secrets", "get", "a", "--version", "x"])).code).toBe(2);
    expect((await cli(["secrets", "ls"], { home, env: { GATEHOUSE_TOKEN: "x" } })).code).toBe(2);
    const down = await cli(["secrets", "ls"], {
      home,
      env: { GATEHOUSE_URL: "http://127.0.0.1:9", GATEHOUSE_TOKEN: "x" },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach");
    const expired = await as("not-a-valid-token", ["secrets", "ls"]);
    expect(expired.code).toBe(3);
    expect(expired.stderr).toContain("gatehouse login");
  }, 60_000);
});
