import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildContext } from "../src/boot";
import { loadConfig } from "../src/config";
import { pgBaseUrl } from "./harness/app";
import { cloneDatabase } from "./harness/postgres";

describe("replicas booting together on a fresh database", () => {
  test("agree on one audit key and one token-signing key", async () => {
    const url = await cloneDatabase(await pgBaseUrl());
    const key = randomBytes(32).toString("hex");
    const config = () =>
      loadConfig({
        GATEHOUSE_ENV: "development",
        GATEHOUSE_DATA_DIR: mkdtempSync(join(tmpdir(), "gh-keys-")),
        GATEHOUSE_DATABASE_URL: url,
        GATEHOUSE_MASTER_KEY: key,
        GATEHOUSE_LOG_LEVEL: "error",
      });
    const ctxs = await Promise.all([0, 1, 2, 3].map(() => buildContext(config(), { logSink: () => {} })));
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
    expect(new Set(ctxs.map((c) => hex(c.keys.auditKey))).size).toBe(1);
    expect(new Set(ctxs.map((c) => hex(c.keys.jwtKey))).size).toBe(1);
    const { token } = (await ctxs[0]?.jwt.sign({ typ: "approle", uid: "role-x", ver: 1 }, 60)) ?? {
      token: "",
    };
    expect((await ctxs[3]?.jwt.verify(token))?.uid).toBe("role-x");
    for (const c of ctxs) {
      await c.gateway?.shutdown?.();
      await c.store.close();
    }
  });
});
