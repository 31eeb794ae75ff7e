// The stdio sandbox's fallbacks: a separate unprivileged user (setpriv, when the server runs as root
// without bubblewrap) and none (only a clean environment and private HOME), chosen with
// GATEHOUSE_MCP_SANDBOX. The bubblewrap default is covered in gateway.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { checkReadOnlyPath, sandboxUid, within } from "../src/modules/gateway/sandbox";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import { bundleStdioFixture, call, gatewayClient, type StdioFixture, textOf } from "./harness/gateway";

const ROOT = "root-token-for-gateway-sandbox-0123456789abc";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const isRoot = process.getuid?.() === 0;

let fixture: StdioFixture;
const savedKey = process.env.GATEHOUSE_MASTER_KEY;
beforeAll(async () => {
  fixture = await bundleStdioFixture();
});
afterAll(() => {
  fixture.remove();
  if (savedKey === undefined) delete process.env.GATEHOUSE_MASTER_KEY;
  else process.env.GATEHOUSE_MASTER_KEY = savedKey;
});

interface Report {
  env_keys: string[];
  master_key: string | null;
  home: string;
  cwd: string;
  uid: number;
  data_dir_listing: string;
  files: Record<string, string>;
  visible_environ_with_key: string;
}

async function setUp(engine: (typeof ENGINES)[number], mode: "user" | "none") {
  const t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT, GATEHOUSE_MCP_SANDBOX: mode });
  process.env.GATEHOUSE_MASTER_KEY = t.ctx.config.masterKeyHex;
  expect(
    (await t.req("POST", "/v1/secrets/app/token", { token: ROOT, body: { value: CANARY } })).status,
  ).toBe(201);
  const r = await t.req("POST", "/v1/mcp/servers", {
    token: ROOT,
    body: {
      name: "fx",
      transport: "stdio",
      command: "bun",
      args: [fixture.script],
      env: { TOKEN: "{{secret:app/token}}" },
      // No injection filter on snoop's report (it names /proc/<pid>/environ, which reads like poisoning).
      filters: { injection: { mode: "off" } },
    },
  });
  expect(r.status, r.text).toBe(201);
  const { client } = await gatewayClient(t, ROOT);
  return { t, client };
}

const snoop = async (t: TestApp, c: Client) => {
  const r = await call(c, "fx__snoop", { data_dir: t.ctx.config.dataDir, vault_pid: process.pid });
  expect(r.isError, textOf(r)).toBeFalsy();
  return JSON.parse(textOf(r)) as Report;
};

describe("sandbox helpers", () => {
  test("read-only paths may not overlap the data, config or key paths", () => {
    const prot = ["/data", "/config", "/run/secrets/master_key"];
    expect(checkReadOnlyPath("/opt/mcp", prot)).toBeNull();
    expect(checkReadOnlyPath("/", prot)).toContain("overlaps");
    expect(checkReadOnlyPath("/data/sub", prot)).toContain("overlaps");
    expect(checkReadOnlyPath("/run", prot)).toContain("overlaps");
    expect(checkReadOnlyPath("/opt/../data", prot)).toContain("normalized");
    expect(checkReadOnlyPath("opt", prot)).toContain("absolute");
    expect(within("/a/b", "/a")).toBe(true);
    expect(within("/ab", "/a")).toBe(false);
    expect(sandboxUid("fx")).toBe(sandboxUid("fx"));
    expect(sandboxUid("fx")).not.toBe(sandboxUid("fy"));
    expect(sandboxUid("fx")).toBeGreaterThanOrEqual(200_000);
  });
});

for (const engine of ENGINES) {
  describe.if(isRoot && existsSync("/usr/bin/setpriv"))(`separate-user sandbox on ${engine}`, () => {
    let t: TestApp;
    let c: Client;
    beforeAll(async () => {
      ({ t, client: c } = await setUp(engine, "user"));
    });
    afterAll(async () => {
      await c.close().catch(() => {});
      await t.close();
    });

    test("GET reports the separate user; the upstream runs as its own uid with a private 0700 HOME", async () => {
      const list = await t.req<{ sandbox: { mode: string }; servers: { sandbox: string }[] }>(
        "GET",
        "/v1/mcp/servers",
        { token: ROOT },
      );
      expect(list.body.sandbox.mode).toBe("user");
      expect(list.body.servers[0]?.sandbox).toBe("user");
      const report = await snoop(t, c);
      expect(report.uid).toBe(sandboxUid("fx"));
      expect(report.home).toBe(report.cwd);
      expect(report.home).toContain("gh-mcp-fx-");
      const st = statSync(report.home);
      expect(st.mode & 0o777).toBe(0o700);
      expect(st.uid).toBe(sandboxUid("fx"));
      expect(textOf(await call(c, "fx__env_hash", { name: "TOKEN" }))).toBe(sha256(CANARY));
    });

    test("it cannot read the vault's environment, data directory or process", async () => {
      const report = await snoop(t, c);
      expect(report.master_key).toBeNull();
      expect(report.env_keys.filter((k) => !["PWD", "SHLVL", "_"].includes(k))).toEqual([
        "HOME",
        "PATH",
        "TOKEN",
      ]);
      expect(report.data_dir_listing).toBe("error: EACCES");
      expect(report.files[`/proc/${process.pid}/environ`]).toBe("error: EACCES");
      expect(report.files["/etc/shadow"]).toBe("error: EACCES");
      expect(report.visible_environ_with_key).toBe("");
    });

    test("shutdown removes the private HOME", async () => {
      const report = await snoop(t, c);
      await t.ctx.gateway.shutdown();
      expect(existsSync(report.home)).toBe(false);
    });
  });

  describe(`no sandbox (GATEHOUSE_MCP_SANDBOX=none) on ${engine}`, () => {
    let t: TestApp;
    let c: Client;
    beforeAll(async () => {
      ({ t, client: c } = await setUp(engine, "none"));
    });
    afterAll(async () => {
      await c.close().catch(() => {});
      await t.close();
    });

    test("reported as none with its weakness; the environment is still the upstream's own", async () => {
      const list = await t.req<{ sandbox: { mode: string; detail: string } }>("GET", "/v1/mcp/servers", {
        token: ROOT,
      });
      expect(list.body.sandbox.mode).toBe("none");
      expect(list.body.sandbox.detail).toContain("can read the vault's files");
      const report = await snoop(t, c);
      expect(report.master_key).toBeNull();
      expect(report.env_keys.filter((k) => !["PWD", "SHLVL", "_"].includes(k))).toEqual([
        "HOME",
        "PATH",
        "TOKEN",
      ]);
      expect(report.home).toContain("gh-mcp-fx-");
      expect(textOf(await call(c, "fx__env_hash", { name: "TOKEN" }))).toBe(sha256(CANARY));
    });
  });
}
