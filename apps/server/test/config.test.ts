import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../src/config";

const KEY = "ab".repeat(32);
const dir = () => mkdtempSync(join(tmpdir(), "gh-cfg-"));

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  test("production without a master key names the variable", () => {
    const e = configError({ GATEHOUSE_ENV: "production", GATEHOUSE_DATA_DIR: dir() });
    expect(e.variable).toBe("GATEHOUSE_MASTER_KEY");
  });

  test("NODE_ENV=production also means production", () => {
    expect(configError({ NODE_ENV: "production", GATEHOUSE_DATA_DIR: dir() }).variable).toBe(
      "GATEHOUSE_MASTER_KEY",
    );
  });

  test("a non-hex or short key is refused without echoing it", () => {
    const bad = "zz".repeat(32);
    const e = configError({ GATEHOUSE_ENV: "production", GATEHOUSE_MASTER_KEY: bad });
    expect(e.variable).toBe("GATEHOUSE_MASTER_KEY");
    expect(e.message).not.toContain(bad);
    expect(configError({ GATEHOUSE_ENV: "production", GATEHOUSE_MASTER_KEY: "ab".repeat(31) }).variable).toBe(
      "GATEHOUSE_MASTER_KEY",
    );
  });

  test("key file with a trailing newline is accepted; an unreadable one is named", () => {
    const d = dir();
    writeFileSync(join(d, "k"), `${KEY}\n`);
    const c = loadConfig({ GATEHOUSE_ENV: "production", GATEHOUSE_MASTER_KEY_FILE: join(d, "k") });
    expect(c.masterKeyHex).toBe(KEY);
    expect(
      configError({ GATEHOUSE_ENV: "production", GATEHOUSE_MASTER_KEY_FILE: join(d, "missing") }).variable,
    ).toBe("GATEHOUSE_MASTER_KEY_FILE");
  });

  test("dev mode creates and then reuses a dev key in the data directory, and listens on loopback", () => {
    const d = dir();
    const a = loadConfig({ GATEHOUSE_DATA_DIR: d });
    const b = loadConfig({ GATEHOUSE_DATA_DIR: d });
    expect(a.devMode).toBe(true);
    expect(a.host).toBe("127.0.0.1");
    expect(a.masterKeyHex).toBe(b.masterKeyHex);
    expect(readFileSync(join(d, "dev-master.key"), "utf8").trim()).toBe(a.masterKeyHex);
  });

  test("production defaults and validation", () => {
    const c = loadConfig({ GATEHOUSE_ENV: "production", GATEHOUSE_MASTER_KEY: KEY });
    expect(c.host).toBe("0.0.0.0");
    expect(c.port).toBe(3100);
    expect(Object.isFrozen(c)).toBe(true);
    const base = { GATEHOUSE_ENV: "production", GATEHOUSE_MASTER_KEY: KEY };
    expect(configError({ ...base, GATEHOUSE_ROOT_TOKEN: "short" }).variable).toBe("GATEHOUSE_ROOT_TOKEN");
    expect(configError({ ...base, GATEHOUSE_PORT: "70000" }).variable).toBe("GATEHOUSE_PORT");
    expect(configError({ ...base, GATEHOUSE_DATABASE_URL: "mysql://x" }).variable).toBe(
      "GATEHOUSE_DATABASE_URL",
    );
    expect(configError({ ...base, GATEHOUSE_TRUST_LOOPBACK: "maybe" }).variable).toBe(
      "GATEHOUSE_TRUST_LOOPBACK",
    );
    expect(configError({ ...base, GATEHOUSE_ARGON2_MEMORY_KIB: "1024" }).variable).toBe(
      "GATEHOUSE_ARGON2_MEMORY_KIB",
    );
    expect(configError({ ...base, GATEHOUSE_ENV: "staging" }).variable).toBe("GATEHOUSE_ENV");
  });
});

describe("main.ts boot", () => {
  const main = join(import.meta.dir, "../src/main.ts");
  const boot = (env: Record<string, string>) =>
    Bun.spawnSync(["bun", main], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stderr: "pipe",
      stdout: "pipe",
    });

  test("production without a key exits non-zero naming the variable", () => {
    const r = boot({ GATEHOUSE_ENV: "production", GATEHOUSE_DATA_DIR: dir() });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("GATEHOUSE_MASTER_KEY");
  });

  test("production with a non-hex key exits non-zero naming the variable", () => {
    const r = boot({
      GATEHOUSE_ENV: "production",
      GATEHOUSE_MASTER_KEY: "g".repeat(64),
      GATEHOUSE_DATA_DIR: dir(),
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.toString()).toContain("GATEHOUSE_MASTER_KEY");
    expect(r.stderr.toString()).not.toContain("g".repeat(64));
  });
});
