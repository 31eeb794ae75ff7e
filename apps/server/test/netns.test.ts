// The real network path: a server on a real socket, a client in a network namespace of this test's
// own (so the peer is not loopback and not a trusted proxy), and a spoofed X-Forwarded-For header.
// Only the veth pair created here is touched; needs root and iproute2 (GATEHOUSE_SKIP_NETNS=1 skips).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { createApp } from "../src/app";
import { createTestApp, type TestApp } from "./harness/app";

const ROOT = "root-token-for-netns-tests-0123456789abcd";
const SKIP = process.env.GATEHOUSE_SKIP_NETNS === "1";
const SPOOFED = "1.2.3.4";

const pid = process.pid;
const NS = `gh-test-${pid}`;
const HOST_IF = `ghv${pid % 1_000_000}h`;
const NS_IF = `ghv${pid % 1_000_000}n`;
const OCTET = pid % 250;
const HOST_IP = `10.231.${OCTET}.1`;
const NS_IP = `10.231.${OCTET}.2`;

function missingPrerequisite(): string | null {
  if (process.getuid?.() !== 0) return "it must run as root to create a network namespace";
  if (!Bun.which("ip")) return "the `ip` command is missing (apt-get install -y iproute2)";
  if (!Bun.which("curl")) return "the `curl` command is missing (apt-get install -y curl)";
  return null;
}

/** Runs a command without blocking the event loop (the server under test lives in this process). */
async function run(cmd: string[], opts: { check?: boolean } = {}) {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (opts.check !== false && code !== 0) {
    throw new Error(`${cmd.join(" ")} failed (${code}): ${stderr.trim()}`);
  }
  return { stdout, stderr, code };
}

async function teardownNetwork() {
  await run(["ip", "netns", "del", NS], { check: false });
  await run(["ip", "link", "del", HOST_IF], { check: false });
}

describe.skipIf(SKIP)("client IP over a real socket from a network namespace", () => {
  let t: TestApp;
  let server: ReturnType<typeof createApp> | undefined;
  let base = "";
  let networkCreated = false;

  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) {
      throw new Error(
        `netns.test.ts cannot run: ${missing}. Set GATEHOUSE_SKIP_NETNS=1 to skip it on purpose.`,
      );
    }
    networkCreated = true;
    await teardownNetwork();
    await run(["ip", "netns", "add", NS]);
    await run(["ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF]);
    await run(["ip", "link", "set", NS_IF, "netns", NS]);
    await run(["ip", "addr", "add", `${HOST_IP}/30`, "dev", HOST_IF]);
    await run(["ip", "link", "set", HOST_IF, "up"]);
    await run(["ip", "netns", "exec", NS, "ip", "addr", "add", `${NS_IP}/30`, "dev", NS_IF]);
    await run(["ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up"]);
    await run(["ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up"]);

    t = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
    // The production peer resolver (Bun's socket address): no `peer` override here.
    server = createApp(t.ctx).listen({ hostname: HOST_IP, port: 0 });
    base = `http://${HOST_IP}:${server.server?.port}`;
  });

  afterAll(async () => {
    await server?.stop();
    if (networkCreated) await teardownNetwork();
    await t?.close();
  });

  /** A request sent from inside the namespace, always carrying a forged X-Forwarded-For. */
  async function fromNamespace(method: string, path: string, opts: { body?: unknown; token?: string } = {}) {
    const args = ["ip", "netns", "exec", NS, "curl", "-sS", "-m", "10", "-X", method];
    args.push("-H", `x-forwarded-for: ${SPOOFED}`, "-H", "x-real-ip: 1.2.3.4");
    if (opts.token) args.push("-H", `authorization: Bearer ${opts.token}`);
    if (opts.body !== undefined)
      args.push("-H", "content-type: application/json", "-d", JSON.stringify(opts.body));
    args.push("-w", "\n%{http_code}", `${base}${path}`);
    const { stdout } = await run(args);
    const cut = stdout.lastIndexOf("\n");
    return {
      status: Number(stdout.slice(cut + 1)),
      body: JSON.parse(stdout.slice(0, cut)) as Record<string, unknown>,
    };
  }

  async function approle(allow: string) {
    const r = await t.req<{ role_id: string; secret_id: string }>("POST", "/v1/auth/approle", {
      token: ROOT,
      body: { display_name: `netns ${allow}`, policies: ["admin"], ip_allowlist: [allow] },
    });
    expect(r.status).toBe(201);
    return r.body;
  }

  test("the peer really is the namespace address, not loopback", async () => {
    const r = await fromNamespace("GET", "/v1/auth/whoami", { token: ROOT });
    expect(r.status).toBe(200);
    expect(r.body.ip).toBe(NS_IP);
  });

  test("a spoofed X-Forwarded-For is ignored: the AppRole allowed for the real address logs in", async () => {
    const role = await approle(`${NS_IP}/32`);
    const login = await fromNamespace("POST", "/v1/auth/approle/login", { body: role });
    expect(login.status).toBe(200);
    const me = await fromNamespace("GET", "/v1/auth/whoami", { token: String(login.body.token) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ identity: `approle:${role.role_id}`, ip: NS_IP });

    const { auditLog } = t.ctx.store.t;
    const rows = await t.ctx.store.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "auth.approle.login"), eq(auditLog.path, `approle:${role.role_id}`)));
    expect(rows.map((r) => r.sourceIp)).toEqual([NS_IP]);
  });

  test("an AppRole allowlisted only for the spoofed address is refused", async () => {
    const role = await approle(`${SPOOFED}/32`);
    const login = await fromNamespace("POST", "/v1/auth/approle/login", { body: role });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe("ip_not_allowed");
    expect(String(login.body.error)).toContain(NS_IP);

    const link = await t.req<{ token: string }>("POST", "/v1/onboard", {
      token: ROOT,
      body: { role_id: role.role_id },
    });
    const exchange = await fromNamespace("POST", `/v1/onboard/${link.body.token}/exchange`);
    expect(exchange.status).toBe(403);
    expect(exchange.body.code).toBe("ip_not_allowed");
  });
});
