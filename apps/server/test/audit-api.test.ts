import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { verifyChain } from "../src/audit/writer";
import { csvCell } from "../src/modules/audit/export";
import { parseTime } from "../src/modules/audit/service";
import { startRetentionWorker } from "../src/workers/retention";
import { createTestApp, ENGINES, type TestApp } from "./harness/app";

const ROOT = "root-token-for-audit-api-tests-0123456789abcdef";
const DAY_MS = 86_400_000;

type Entry = {
  id: number;
  timestamp: string;
  identity: string;
  action: string;
  path: string | null;
  lease_id: string | null;
  source_ip: string | null;
  metadata: Record<string, unknown> | null;
  success: boolean;
  outcome: string;
  request_id: string | null;
};
type List = { entries: Entry[]; next_before_seq: number | null };
type Err = { code: string; error: string; field?: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("audit time and CSV helpers", () => {
  test("ISO-8601 dates, times, fractions and offsets; impossible dates refused", () => {
    expect(parseTime("since", "2025-01-31")).toBe(Date.UTC(2025, 0, 31));
    expect(parseTime("since", "2025-01-31T12:30:00Z")).toBe(Date.UTC(2025, 0, 31, 12, 30));
    expect(parseTime("since", "2025-01-31 12:30:05.250")).toBe(Date.UTC(2025, 0, 31, 12, 30, 5, 250));
    expect(parseTime("since", "2025-01-31T14:30:00+02:00")).toBe(Date.UTC(2025, 0, 31, 12, 30));
    expect(parseTime("since", "2025-01-31T10:00-0230")).toBe(Date.UTC(2025, 0, 31, 12, 30));
    for (const bad of [
      "yesterday",
      "2025-02-30",
      "2025-13-01",
      "2025-01-31T25:00Z",
      "1738324800",
      "2025-01-31T12:00+24:00",
    ]) {
      expect(() => parseTime("since", bad)).toThrow("since:");
    }
  });

  test("CSV cells are quoted when needed and formulas are defused", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const lead of ["+", "-", "@", "\t"]) expect(csvCell(`${lead}1`)).toBe(`'${lead}1`);
    expect(csvCell({ a: 1, b: "x,y" })).toBe('"{""a"":1,""b"":""x,y""}"');
  });
});

for (const engine of ENGINES) {
  describe(`audit API on ${engine}`, () => {
    let t: TestApp;
    const root = { token: ROOT };
    let viewer: string;
    let middle = "";

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      const created = await t.req("POST", "/v1/auth/users", {
        ...root,
        body: { username: "vera", password: "vera-password-1", role: "viewer" },
      });
      expect(created.status).toBe(201);
      const login = await t.req<{ token: string }>("POST", "/v1/auth/login", {
        body: { username: "vera", password: "vera-password-1" },
      });
      expect(login.status).toBe(200);
      viewer = login.body.token;
      for (let i = 0; i < 6; i++) {
        await t.ctx.audit.append({
          identity: i % 2 ? "approle:role-a" : "user:vera",
          action: i < 3 ? "secret.read" : "secret.write",
          path: `app/db/${i}`,
          sourceIp: "10.0.0.7",
          requestId: `req_seed_${i}`,
          metadata: { n: i },
          success: i !== 4,
          outcome: i === 4 ? "denied" : "success",
        });
        if (i === 2) {
          await sleep(5);
          middle = new Date().toISOString();
          await sleep(5);
        }
      }
      await t.ctx.audit.append({
        identity: "user:vera",
        action: "secret.read",
        path: "app/dbx",
        success: true,
      });
      await t.ctx.audit.append({
        identity: "user:vera",
        action: "secret.read",
        path: "APP/db/0",
        success: true,
      });
    });
    afterAll(() => t.close());

    test("GET /v1/audit: newest first, Gatehouse fields plus outcome and request_id", async () => {
      const r = await t.req<List>("GET", "/v1/audit?limit=3", root);
      expect(r.status).toBe(200);
      expect(r.body.entries.length).toBe(3);
      const ids = r.body.entries.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(r.body.next_before_seq).toBe(ids[2] ?? -1);
      const seeded = (await t.req<List>("GET", "/v1/audit?action=secret.write&path=app/db/", root)).body
        .entries;
      expect(seeded.map((e) => e.path)).toEqual(["app/db/5", "app/db/4", "app/db/3"]);
      expect(seeded[0]).toEqual({
        id: expect.any(Number),
        timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        identity: "approle:role-a",
        action: "secret.write",
        path: "app/db/5",
        lease_id: null,
        source_ip: "10.0.0.7",
        metadata: { n: 5 },
        success: true,
        outcome: "success",
        request_id: "req_seed_5",
      });
    });

    test("filters: identity, action, path prefix (case-sensitive, no wildcards), outcome, success, time range", async () => {
      const get = async (q: string) => (await t.req<List>("GET", `/v1/audit?${q}`, root)).body.entries;
      expect((await get("identity=approle:role-a")).map((e) => e.path)).toEqual([
        "app/db/5",
        "app/db/3",
        "app/db/1",
      ]);
      expect((await get("path=app/db")).length).toBe(7);
      expect((await get("path=app/db/")).length).toBe(6);
      expect((await get("path=APP/")).map((e) => e.path)).toEqual(["APP/db/0"]);
      expect((await get("path=app%25")).length).toBe(0);
      expect((await get("path=app_db")).length).toBe(0);
      expect((await get("outcome=denied")).map((e) => e.path)).toEqual(["app/db/4"]);
      expect((await get("success=false&path=app/")).map((e) => e.path)).toEqual(["app/db/4"]);
      expect((await get(`until=${middle}&path=app/db/`)).map((e) => e.path)).toEqual([
        "app/db/2",
        "app/db/1",
        "app/db/0",
      ]);
      expect((await get(`since=${middle}&path=app/db/`)).map((e) => e.path)).toEqual([
        "app/db/5",
        "app/db/4",
        "app/db/3",
      ]);
      expect((await get("since=2999-01-01")).length).toBe(0);
    });

    test("before_seq pages through without overlap", async () => {
      const all = (await t.req<List>("GET", "/v1/audit?path=app/db/&limit=100", root)).body.entries;
      const seen: number[] = [];
      let before: number | null = null;
      do {
        const q: string = `/v1/audit?path=app/db/&limit=4${before ? `&before_seq=${before}` : ""}`;
        const page: List = (await t.req<List>("GET", q, root)).body;
        seen.push(...page.entries.map((e) => e.id));
        before = page.next_before_seq;
      } while (before);
      expect(seen).toEqual(all.map((e) => e.id));
    });

    test("non-admins only ever see their own entries", async () => {
      const r = await t.req<List>("GET", "/v1/audit?identity=approle:role-a&limit=1000", { token: viewer });
      expect(r.status).toBe(200);
      expect(r.body.entries.length).toBeGreaterThan(0);
      expect(r.body.entries.every((e) => e.identity === "user:vera")).toBe(true);
    });

    test("GET /v1/audit/count: the number of matching entries, past any page size; own entries for non-admins", async () => {
      const count = async (q: string, token = ROOT) =>
        (await t.req<{ count: number }>("GET", `/v1/audit/count?${q}`, { token })).body.count;
      const listed = async (q: string, token = ROOT) =>
        (await t.req<List>("GET", `/v1/audit?${q}&limit=10000`, { token })).body.entries.length;
      expect(await count("path=app/db/")).toBe(6);
      expect(await count(`since=${middle}&path=app/db/`)).toBe(3);
      expect(await count("outcome=denied")).toBe(1);
      expect(await count("since=2999-01-01")).toBe(0);
      // No filter: every entry, the same as listing them all.
      expect(await count("")).toBe(await listed(""));
      // A viewer counts only its own entries, whatever identity it asks for.
      expect(await count("identity=approle:role-a", viewer)).toBe(
        await listed("identity=approle:role-a", viewer),
      );
      expect(await count("", viewer)).toBe(await listed("", viewer));
      expect(await count("identity=approle:role-a")).toBe(3);
      const newest = (await t.req<List>("GET", "/v1/audit?path=app/db/&limit=1", root)).body.entries[0];
      const counted = await t.req<{ count: number; through_id: number | null }>(
        "GET",
        "/v1/audit/count?path=app/db/",
        root,
      );
      expect(counted.body.through_id).toBe(newest?.id ?? -1);
      expect((await t.req("GET", "/v1/audit/count?since=2999-01-01", root)).body).toEqual({
        count: 0,
        through_id: null,
      });
      const r = await t.req<Err>("GET", "/v1/audit/count?since=yesterday", root);
      expect(r.status).toBe(400);
      expect(r.body.field).toBe("since");
      expect((await t.req("GET", "/v1/audit/count?success=maybe", root)).status).toBe(400);
      expect((await t.req("GET", "/v1/audit/count")).status).toBe(401);
    });

    test("bad parameters are 400 naming the field; no credentials is 401", async () => {
      const cases: [string, string][] = [
        ["since=yesterday", "since"],
        ["until=2025-02-30T00:00:00Z", "until"],
        ["limit=0", "limit"],
        ["limit=10001", "limit"],
        ["limit=abc", "limit"],
        ["before_seq=-1", "before_seq"],
        ["success=maybe", "success"],
        ["outcome=DROP%20TABLE", "outcome"],
      ];
      for (const [q, field] of cases) {
        const r = await t.req<Err>("GET", `/v1/audit?${q}`, root);
        expect(r.status, q).toBe(400);
        expect(r.body.code).toBe("invalid_request");
        expect(r.body.field, q).toBe(field);
      }
      expect((await t.req("GET", "/v1/audit")).status).toBe(401);
    });

    test("export: JSON, JSON Lines and CSV with headers, filters and an audit entry", async () => {
      const json = await t.req<Entry[]>("GET", "/v1/audit/export?format=json&path=app/db/", root);
      expect(json.status).toBe(200);
      expect(json.headers.get("content-type")).toStartWith("application/json");
      expect(json.headers.get("content-disposition")).toMatch(
        /^attachment; filename="gatehouse-audit-\d{8}T\d{6}Z\.json"$/,
      );
      expect(json.body.map((e) => e.path)).toEqual([
        "app/db/0",
        "app/db/1",
        "app/db/2",
        "app/db/3",
        "app/db/4",
        "app/db/5",
      ]);

      const jsonl = await t.req("GET", "/v1/audit/export?format=jsonl&outcome=denied", root);
      expect(jsonl.headers.get("content-type")).toStartWith("application/x-ndjson");
      expect(jsonl.headers.get("content-disposition")).toContain(".jsonl");
      const lines = jsonl.text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Entry);
      expect(lines.map((e) => e.path)).toEqual(["app/db/4"]);

      await t.ctx.audit.append({
        identity: "user:vera",
        action: "secret.read",
        path: "=cmd|' /C calc'!A0",
        metadata: { note: 'comma, "quote"\nline' },
        success: true,
      });
      const csv = await t.req(
        "GET",
        "/v1/audit/export?format=csv&identity=user:vera&action=secret.read",
        root,
      );
      expect(csv.headers.get("content-type")).toStartWith("text/csv");
      expect(csv.headers.get("content-disposition")).toContain(".csv");
      const [header, ...rows] = csv.text.split("\r\n");
      expect(header).toBe(
        "id,timestamp,identity,action,path,lease_id,source_ip,metadata,success,outcome,request_id",
      );
      expect(csv.text).toContain(",'=cmd|' /C calc'!A0,");
      expect(csv.text).toContain('"{""note"":""comma, \\""quote\\""\\nline""}"');
      expect(rows.filter(Boolean).length).toBe(5);

      const { auditLog } = t.ctx.store.t;
      const exports = await t.ctx.store.db.select().from(auditLog).where(eq(auditLog.action, "audit.export"));
      expect(exports.length).toBe(3);
      expect(exports.every((e) => e.identity === "root" && e.success)).toBe(true);
    });

    test("export streams a log larger than one page", async () => {
      await t.ctx.store.tx(async (tx) => {
        for (let i = 0; i < 1200; i++) {
          await t.ctx.audit.append(
            { identity: "approle:bulk", action: "proxy.forward", path: `bulk/${i}`, success: true },
            tx,
          );
        }
      });
      const r = await t.req("GET", "/v1/audit/export?format=jsonl&identity=approle:bulk", root);
      const ids = r.text
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as Entry).id);
      expect(ids.length).toBe(1200);
      expect(new Set(ids).size).toBe(1200);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    test("export: non-admins get their own entries; a bad format or time is 400", async () => {
      const r = await t.req<Entry[]>("GET", "/v1/audit/export?format=json&identity=root", { token: viewer });
      expect(r.status).toBe(200);
      expect(r.body.length).toBeGreaterThan(0);
      expect(r.body.every((e) => e.identity === "user:vera")).toBe(true);
      const bad = await t.req<Err>("GET", "/v1/audit/export?format=xml", root);
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe("format");
      const badTime = await t.req<Err>("GET", "/v1/audit/export?format=csv&since=soon", root);
      expect(badTime.status).toBe(400);
      expect(badTime.body.field).toBe("since");
    });

    test("retention: read and set (audited); validation and admin-only", async () => {
      expect((await t.req("GET", "/v1/audit/retention", root)).body).toEqual({ retention_days: 0 });
      const set = await t.req("POST", "/v1/audit/retention", { ...root, body: { retention_days: 30 } });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ retention_days: 30 });
      expect((await t.req("GET", "/v1/audit/retention", root)).body).toEqual({ retention_days: 30 });
      for (const bad of [-1, 1.5, "ten", null]) {
        const r = await t.req<Err>("POST", "/v1/audit/retention", { ...root, body: { retention_days: bad } });
        expect(r.status).toBe(400);
        expect(r.body.field).toBe("retention_days");
      }
      expect((await t.req("GET", "/v1/audit/retention", { token: viewer })).status).toBe(403);
      expect(
        (await t.req("POST", "/v1/audit/retention", { token: viewer, body: { retention_days: 0 } })).status,
      ).toBe(403);
      const { auditLog } = t.ctx.store.t;
      const [entry] = await t.ctx.store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, "audit.retention.update"));
      expect(JSON.parse(entry?.metadata ?? "{}")).toEqual({ retention_days: 30, previous_retention_days: 0 });
    });

    test("verify: the chain checks out; tampering is found; admin-only", async () => {
      const ok = await t.req<{ ok: boolean; checked: number }>("POST", "/v1/audit/verify", root);
      expect(ok.status).toBe(200);
      expect(ok.body.ok).toBe(true);
      expect(ok.body.checked).toBeGreaterThan(1200);
      const { auditLog } = t.ctx.store.t;
      const [victim] = await t.ctx.store.db.select().from(auditLog).where(eq(auditLog.path, "app/db/3"));
      if (!victim) throw new Error("seed entry missing");
      await t.ctx.store.tx((tx) =>
        tx.update(auditLog).set({ success: false }).where(eq(auditLog.seq, victim.seq)),
      );
      const broken = await t.req<{ ok: boolean; first_broken: { seq: number } }>(
        "POST",
        "/v1/audit/verify",
        root,
      );
      expect(broken.body.ok).toBe(false);
      expect(broken.body.first_broken.seq).toBe(victim.seq);
      await t.ctx.store.tx((tx) =>
        tx.update(auditLog).set({ success: true }).where(eq(auditLog.seq, victim.seq)),
      );
      expect((await t.req("POST", "/v1/audit/verify", { token: viewer })).status).toBe(403);
      const verifies = await t.ctx.store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, "audit.verify"));
      expect(verifies.length).toBe(2);
    });

    test("purge with an explicit time leaves a signed checkpoint; bad times are 400; admin-only", async () => {
      expect(
        (await t.req<Err>("POST", "/v1/audit/purge", { ...root, body: { before: "last week" } })).body.field,
      ).toBe("before");
      const future = new Date(Date.now() + DAY_MS).toISOString();
      const r = await t.req<Err>("POST", "/v1/audit/purge", { ...root, body: { before: future } });
      expect(r.status).toBe(400);
      expect(r.body.field).toBe("before");
      expect((await t.req("POST", "/v1/audit/purge", { token: viewer, body: {} })).status).toBe(403);

      const purge = await t.req<{ purged: number; checkpoint_seq: number }>("POST", "/v1/audit/purge", {
        ...root,
        body: { before: middle },
      });
      expect(purge.status).toBe(200);
      expect(purge.body.purged).toBeGreaterThanOrEqual(3);
      const left = (await t.req<List>("GET", "/v1/audit?path=app/db/", root)).body.entries;
      expect(left.map((e) => e.path)).toEqual(["app/db/5", "app/db/4", "app/db/3"]);
      expect(left.every((e) => e.id > purge.body.checkpoint_seq)).toBe(true);
      const verify = await verifyChain(t.ctx.store, t.ctx.keys.auditKey);
      expect(verify).toMatchObject({ ok: true, from_seq: purge.body.checkpoint_seq });
      const [entry] = (await t.req<List>("GET", "/v1/audit?action=audit.purge", root)).body.entries;
      expect(entry?.metadata).toMatchObject({
        purged: purge.body.purged,
        checkpoint_seq: purge.body.checkpoint_seq,
      });
    });

    test("purge by retention: nothing while retention is 0, then everything older than the period", async () => {
      await t.req("POST", "/v1/audit/retention", { ...root, body: { retention_days: 0 } });
      const keep = await t.req("POST", "/v1/audit/purge", root);
      expect(keep.status).toBe(200);
      expect(keep.body).toEqual({ purged: 0, checkpoint_seq: null });
      await t.req("POST", "/v1/audit/retention", { ...root, body: { retention_days: 1 } });
      const realNow = t.ctx.now;
      t.ctx.now = () => Date.now() + 2 * DAY_MS;
      try {
        const r = await t.req<{ purged: number; checkpoint_seq: number }>("POST", "/v1/audit/purge", root);
        expect(r.status).toBe(200);
        expect(r.body.purged).toBeGreaterThan(1000);
      } finally {
        t.ctx.now = realNow;
      }
      const left = (await t.req<List>("GET", "/v1/audit?limit=10000", root)).body.entries;
      expect(left.map((e) => e.action)).toEqual(["audit.purge"]);
      expect((await verifyChain(t.ctx.store, t.ctx.keys.auditKey)).ok).toBe(true);
    });

    test("the retention worker purges on its interval and stops cleanly", async () => {
      await t.ctx.audit.append({ identity: "approle:old", action: "secret.read", success: true });
      const realNow = t.ctx.now;
      t.ctx.now = () => Date.now() + 2 * DAY_MS;
      const worker = startRetentionWorker(t.ctx, { intervalMs: 20 });
      try {
        for (let i = 0; i < 100; i++) {
          const rows = (await t.req<List>("GET", "/v1/audit?identity=approle:old", root)).body.entries;
          if (rows.length === 0) break;
          await sleep(20);
        }
      } finally {
        await worker.stop();
        t.ctx.now = realNow;
      }
      expect((await t.req<List>("GET", "/v1/audit?identity=approle:old", root)).body.entries).toEqual([]);
      const purges = (
        await t.req<List>("GET", "/v1/audit?action=audit.purge&identity=system:retention", root)
      ).body;
      expect(purges.entries.length).toBeGreaterThanOrEqual(1);
      expect(purges.entries[0]?.metadata).toMatchObject({ reason: "retention" });
      expect(await worker.runOnce()).toBe(0);
      expect((await verifyChain(t.ctx.store, t.ctx.keys.auditKey)).ok).toBe(true);
    });
  });
}
