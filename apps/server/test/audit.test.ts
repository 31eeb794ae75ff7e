import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { Elysia } from "elysia";
import { purgeBefore, verifyChain } from "../src/audit/writer";
import { errorPlugin } from "../src/http/errors";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";

// Makes the audit table refuse inserts the way a read-only or broken store would (root ignores file modes).
const BLOCK_INSERTS: Record<string, string[]> = {
  sqlite: [
    "CREATE TRIGGER audit_block BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit store read-only'); END",
  ],
  pg: [
    "CREATE FUNCTION audit_block() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit store read-only'; END $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_block BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_block()",
  ],
};

for (const engine of ENGINES) {
  describe(`audit writer on ${engine}`, () => {
    let t: TestApp;
    let auditLog: TestApp["ctx"]["store"]["t"]["auditLog"];
    let meta: TestApp["ctx"]["store"]["t"]["meta"];
    beforeAll(async () => {
      t = await createTestApp(engine);
      ({ auditLog, meta } = t.ctx.store.t);
    });
    afterAll(() => t.close());

    const entry = (i: number) => ({
      identity: `approle:agent-${i % 3}`,
      action: "secret.read",
      path: `app/db/${i}`,
      sourceIp: "10.0.0.5",
      requestId: `req_${i}`,
      metadata: { n: i, value: CANARY },
      success: i % 5 !== 0,
    });

    test("appends form a verifiable chain, with value-like metadata dropped", async () => {
      await Promise.all(Array.from({ length: 40 }, (_, i) => t.ctx.audit.append(entry(i))));
      const result = await verifyChain(t.ctx.store, t.ctx.keys.auditKey);
      expect(result.ok).toBe(true);
      expect(result.checked).toBe(40);
      const rows = await t.ctx.store.db.select().from(auditLog);
      expect(rows.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      expect(rows.every((r) => !r.metadata?.includes(CANARY))).toBe(true);
      expect(rows.filter((r) => !r.success).every((r) => r.outcome === "failure")).toBe(true);
    });

    test("an entry is never dated before the one it follows, and time filters find it by seq", async () => {
      // A clock that steps back mid-log (NTP, a VM restored from a snapshot).
      let clock = Date.UTC(2030, 0, 1, 12);
      const token = "root-token-for-audit-clock-tests-0123456789abcdef";
      const c = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: token }, { now: () => clock });
      try {
        const times = [0, 1000, 2000, -5000, 3000, 4000].map((d) => Date.UTC(2030, 0, 1, 12) + d);
        for (const [i, at] of times.entries()) {
          clock = at;
          await c.ctx.audit.append({
            identity: `approle:t${i % 2}`,
            action: "t.step",
            path: `t/${i}`,
            success: true,
          });
        }
        const { auditLog: log } = c.ctx.store.t;
        const rows = await c.ctx.store.db.select().from(log).where(eq(log.action, "t.step"));
        rows.sort((a, b) => a.seq - b.seq);
        const ts = rows.map((r) => r.ts);
        // The step back is dated like its predecessor; the chain still verifies.
        expect(ts).toEqual([0, 1, 2, 2, 4, 5].map((i) => times[i] as number));
        expect((await verifyChain(c.ctx.store, c.ctx.keys.auditKey)).ok).toBe(true);

        const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
        const paths = async (q: string) =>
          (
            await c.req<{ entries: { path: string }[] }>("GET", `/v1/audit?action=t.step&${q}`, { token })
          ).body.entries.map((e) => e.path);
        const at = (i: number) => times[i] as number;
        expect(await paths(`since=${iso(at(2))}`)).toEqual(["t/5", "t/4", "t/3", "t/2"]);
        expect(await paths(`until=${iso(at(1))}`)).toEqual(["t/1", "t/0"]);
        expect(await paths(`since=${iso(at(1))}&until=${iso(at(4))}&identity=approle:t1`)).toEqual([
          "t/3",
          "t/1",
        ]);
        expect(await paths(`since=${iso(at(5) + 1)}`)).toEqual([]);
        expect(await paths(`until=${iso(at(0) - 1)}`)).toEqual([]);
        const counted = await c.req<{ count: number }>(
          "GET",
          `/v1/audit/count?since=${iso(at(2))}&action=t.step`,
          { token },
        );
        expect(counted.body.count).toBe(4);
      } finally {
        await c.close();
      }
    });

    test("a rolled-back transaction leaves no entry", async () => {
      const before = (await t.ctx.store.db.select().from(auditLog)).length;
      await expect(
        t.ctx.store.tx(async (tx) => {
          await t.ctx.audit.append(entry(99), tx);
          throw new Error("change failed");
        }),
      ).rejects.toThrow("change failed");
      expect((await t.ctx.store.db.select().from(auditLog)).length).toBe(before);
    });

    test("verify finds the first edited row", async () => {
      const [original] = await t.ctx.store.db.select().from(auditLog).where(eq(auditLog.seq, 17));
      await t.ctx.store.tx((tx) => tx.update(auditLog).set({ identity: "root" }).where(eq(auditLog.seq, 17)));
      const result = await verifyChain(t.ctx.store, t.ctx.keys.auditKey);
      expect(result.ok).toBe(false);
      expect(result.first_broken?.seq).toBe(17);
      expect(result.first_broken?.reason).toContain("modified");
      await t.ctx.store.tx((tx) =>
        tx
          .update(auditLog)
          .set({ identity: original?.identity ?? "" })
          .where(eq(auditLog.seq, 17)),
      );
      expect((await verifyChain(t.ctx.store, t.ctx.keys.auditKey)).ok).toBe(true);
    });

    test("verify finds a deleted row", async () => {
      const [row] = await t.ctx.store.db.select().from(auditLog).where(eq(auditLog.seq, 30));
      await t.ctx.store.tx((tx) => tx.delete(auditLog).where(eq(auditLog.seq, 30)));
      const result = await verifyChain(t.ctx.store, t.ctx.keys.auditKey);
      expect(result.first_broken?.seq).toBe(31);
      if (row) await t.ctx.store.tx((tx) => tx.insert(auditLog).values(row));
      expect((await verifyChain(t.ctx.store, t.ctx.keys.auditKey)).ok).toBe(true);
    });

    test("purge leaves a signed checkpoint that verification starts from", async () => {
      const rows = await t.ctx.store.db.select().from(auditLog);
      const cutoff = Math.max(...rows.map((r) => r.ts)) + 1;
      const purged = await purgeBefore(t.ctx.store, t.ctx.keys.auditKey, cutoff);
      expect(purged).toBe(rows.length);
      await t.ctx.audit.append(entry(1));
      const result = await verifyChain(t.ctx.store, t.ctx.keys.auditKey);
      expect(result).toMatchObject({ ok: true, checked: 1, from_seq: rows.length });
    });

    test("an unwritable audit store gives 503 audit_unavailable and the change is not kept", async () => {
      for (const s of BLOCK_INSERTS[engine] ?? []) await t.ctx.store.exec(s);
      // A route that changes something and audits it in the same transaction, as every service does.
      const app = new Elysia().use(errorPlugin(t.ctx.log)).post("/change", async () => {
        await t.ctx.store.tx(async (tx) => {
          await tx.insert(meta).values({ key: "probe", value: "x", updatedAt: 1 });
          await t.ctx.audit.append(entry(5), tx);
        });
        return { ok: true };
      });
      const res = await app.handle(new Request("http://localhost/change", { method: "POST" }));
      expect(res.status).toBe(503);
      const body = (await res.json()) as { code: string; error: string };
      expect(body.code).toBe("audit_unavailable");
      expect(await t.ctx.store.db.select().from(meta).where(eq(meta.key, "probe"))).toEqual([]);
    });
  });
}
