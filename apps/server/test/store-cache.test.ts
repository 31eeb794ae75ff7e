// SQLite's cache of prepared hot reads (db/read-cache.ts): reused until a write that may change the
// rows commits, whoever makes it, and never handed out for changing.
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { openStore, type Store } from "../src/db/store";

let dir: string;
let store: Store;
let byId: (p: Record<string, unknown>) => Promise<{ id: string; displayName: string; policies: string[] }[]>;

const role = (id: string, displayName: string) => ({
  id,
  displayName,
  policies: ["p"],
  ipAllowlist: [],
  tokenTtlSeconds: 60,
  suspended: false,
  secretIdHash: "h",
  secretGen: 1,
  createdAt: 1,
  updatedAt: 1,
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gh-store-cache-"));
  store = await openStore({ sqlitePath: join(dir, "gatehouse.db") });
  const { approles } = store.t;
  await store.tx((tx) => tx.insert(approles).values(role("r1", "first")));
  byId = store.prepare("test_approle", (db) =>
    db
      .select()
      .from(approles)
      .where(eq(approles.id, sql.placeholder("id"))),
  );
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("cached prepared reads on SQLite", () => {
  test("a repeated read is served from the cache; an audit-only commit keeps it", async () => {
    const [a] = await byId({ id: "r1" });
    const [b] = await byId({ id: "r1" });
    expect(b).toBe(a as NonNullable<typeof a>);
    await store.tx(
      async (tx) => {
        await store.insertRows(tx, store.t.auditLog, []);
      },
      { appendOnly: true },
    );
    expect((await byId({ id: "r1" }))[0]).toBe(a as NonNullable<typeof a>);
  });

  test("any other commit in this process is seen by the next read", async () => {
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe("first");
    const { approles } = store.t;
    await store.tx((tx) => tx.update(approles).set({ displayName: "second" }).where(eq(approles.id, "r1")));
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe("second");
    await store.tx((tx) => tx.delete(approles).where(eq(approles.id, "r1")));
    expect(await byId({ id: "r1" })).toEqual([]);
  });

  test("a rolled-back write leaves the cached rows as they were", async () => {
    const { approles } = store.t;
    const before = (await byId({ id: "r1" }))[0];
    await expect(
      store.tx(async (tx) => {
        await tx.update(approles).set({ displayName: "never" }).where(eq(approles.id, "r1"));
        // Read during the open transaction: the committed row, not the uncommitted one.
        expect((await byId({ id: "r1" }))[0]?.displayName).toBe("first");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe(before?.displayName as string);
  });

  test("a commit by another process (the host tools) is seen a moment later", async () => {
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe("first");
    const other = new Database(join(dir, "gatehouse.db"));
    other.exec("PRAGMA busy_timeout = 5000");
    other.query("UPDATE approles SET display_name = 'by host tool' WHERE id = 'r1'").run();
    other.close();
    await Bun.sleep(5);
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe("by host tool");
    // Raw statements through the store invalidate too.
    await store.exec("UPDATE approles SET display_name = 'raw' WHERE id = 'r1'");
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe("raw");
  });

  test("cached rows are frozen: a caller cannot change what the next caller gets", async () => {
    const [row] = await byId({ id: "r1" });
    if (!row) throw new Error("no row");
    expect(() => {
      (row as { displayName: string }).displayName = "changed";
    }).toThrow();
    expect(() => row.policies.push("admin")).toThrow();
    expect((await byId({ id: "r1" }))[0]?.policies).toEqual(["p"]);
  });

  test("different parameters are different entries", async () => {
    const { approles } = store.t;
    await store.tx((tx) => tx.insert(approles).values(role("r2", "two")));
    expect((await byId({ id: "r1" }))[0]?.displayName).toBe("first");
    expect((await byId({ id: "r2" }))[0]?.displayName).toBe("two");
    expect(await byId({ id: "r3" })).toEqual([]);
  });
});
