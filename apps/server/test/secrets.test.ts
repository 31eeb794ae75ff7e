import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { agentToken, createPolicy, userToken } from "./harness/agents";
import { CANARY, createTestApp, ENGINES, type TestApp } from "./harness/app";
import { auditRows } from "./harness/users";

const ROOT = "root-token-for-secret-tests-0123456789abcdef";

type View = { path: string; metadata: Record<string, string>; version: number; kind: string; caps: string[] };
type Err = { code: string; error: string; field?: string };
type Versions = {
  versions: {
    version: number;
    metadata: Record<string, string>;
    archived_at: string | null;
    current: boolean;
  }[];
};

const started = performance.now();

for (const engine of ENGINES) {
  describe(`secrets on ${engine}`, () => {
    let t: TestApp;
    const root = { token: ROOT };
    let rw: string; // agents/a1/**: read, write, list, delete
    let writer: string; // w/** and owned/**: write (+ read on owned)
    let pathAdmin: string; // owned/**: admin
    let viewer: string; // team/**: read, list (but a viewer)
    let gated: string; // gated/**: read with approval

    const write = (path: string, body: unknown, token = ROOT) =>
      t.req<View & Err>("POST", `/v1/secrets/${path}`, { token, body });
    const value = (path: string, token = ROOT) =>
      t.req<{ value: string; version: number } & Err>("GET", `/v1/secrets/${path}/value`, { token });

    beforeAll(async () => {
      t = await createTestApp(engine, { GATEHOUSE_ROOT_TOKEN: ROOT });
      await createPolicy(t, ROOT, "s-rw", [
        { paths: ["agents/a1/**"], capabilities: ["read", "write", "list", "delete"] },
      ]);
      await createPolicy(t, ROOT, "s-writer", [
        { paths: ["w/**"], capabilities: ["write"] },
        { paths: ["owned/**", "imp2/**"], capabilities: ["read", "write"] },
      ]);
      await createPolicy(t, ROOT, "s-path-admin", [{ paths: ["owned/**"], capabilities: ["admin"] }]);
      await createPolicy(t, ROOT, "s-team", [
        { paths: ["team/**"], capabilities: ["read", "list", "lease"] },
      ]);
      await createPolicy(t, ROOT, "s-gated", [
        { paths: ["gated/**"], capabilities: ["read", "list"], approval: { required: true, max_ttl: 3600 } },
      ]);
      rw = (await agentToken(t, ["s-rw"])).token;
      writer = (await agentToken(t, ["s-writer"])).token;
      pathAdmin = (await agentToken(t, ["s-path-admin"])).token;
      gated = (await agentToken(t, ["s-gated"])).token;
      viewer = (await userToken(t, "viewer", ["s-team"])).token;
    });
    afterAll(async () => {
      await t.close();
      console.log(`secrets suite (${engine}) done after ${Math.round(performance.now() - started)} ms`);
    });

    test("write (201 then 200), metadata, value as JSON and text; the value never reaches the audit log", async () => {
      const created = await write("app/db", { value: CANARY, metadata: { description: "main db" } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        path: "app/db",
        version: 1,
        kind: "static",
        metadata: { description: "main db" },
      });
      expect(created.body.caps).toEqual(["read", "write", "delete", "list", "lease", "proxy", "admin"]);
      const meta = await t.req<View>("GET", "/v1/secrets/app/db", root);
      expect(meta.status).toBe(200);
      expect(meta.body).toMatchObject({ path: "app/db", version: 1, metadata: { description: "main db" } });
      const v = await value("app/db");
      expect(v.body).toEqual({ path: "app/db", value: CANARY, version: 1 } as never);
      const text = await t.req("GET", "/v1/secrets/app/db/value", {
        ...root,
        headers: { accept: "text/plain" },
      });
      expect(text.status).toBe(200);
      expect(text.headers.get("content-type")).toContain("text/plain");
      expect(text.headers.get("cache-control")).toBe("no-store");
      expect(text.text).toBe(CANARY);
      const updated = await write("app/db", { value: `${CANARY}-2` });
      expect(updated.status).toBe(200);
      expect(updated.body.version).toBe(2);
      // Metadata is kept when a write does not give any.
      expect(updated.body.metadata).toEqual({ description: "main db" });

      const rows = await auditRows(t);
      const actions = new Set(rows.map((r) => r.action));
      for (const a of ["secret.write", "secret.read_metadata", "secret.reveal_value"])
        expect(actions).toContain(a);
      expect(JSON.stringify(rows)).not.toContain(CANARY);
      expect(t.logs.join("\n")).not.toContain(CANARY);
    });

    test("input validation: value size, metadata keys and values, missing secret, no credentials", async () => {
      const cases: [unknown, string][] = [
        [{}, "value"],
        [{ value: "" }, "value"],
        [{ value: "é".repeat(600 * 1024) }, "value"],
        [{ value: "x", metadata: { "Bad-Key": "v" } }, "metadata"],
        [{ value: "x", metadata: { k: "v".repeat(1025) } }, "metadata.k"],
        [
          { value: "x", metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"])) },
          "metadata",
        ],
      ];
      for (const [body, field] of cases) {
        const r = await write("app/bad", body);
        expect(r.status).toBe(400);
        expect(r.body.code).toBe("invalid_request");
        expect(r.body.field).toBe(field);
      }
      expect((await write("app/max", { value: "x".repeat(1024 * 1024) })).status).toBe(201);
      expect((await t.req<Err>("GET", "/v1/secrets/app/missing", root)).body.code).toBe("not_found");
      expect((await t.req("GET", "/v1/secrets/app/missing/value", root)).status).toBe(404);
      expect((await t.req("GET", "/v1/secrets/app/db")).status).toBe(401);
      expect((await t.req("GET", "/v1/secrets")).status).toBe(401);
      expect((await t.req("POST", "/v1/secrets/app/db", { body: { value: "x" } })).status).toBe(401);
    });

    test("reserved final segments answer 400 path_reserved; a reserved word mid-path is fine", async () => {
      for (const p of ["a/value", "a/versions", "a/renew", "a/checkout", "a/leases", "a/versions/3"]) {
        const r = await write(p, { value: "x" });
        expect(r.status, p).toBe(400);
        expect(r.body.code, p).toBe("path_reserved");
      }
      // POST a/rollback is the rollback route; as a secret of its own the path is reserved.
      expect((await t.req<Err>("GET", "/v1/secrets/a/rollback", root)).body.code).toBe("path_reserved");
      expect((await t.req<Err>("DELETE", "/v1/secrets/a/renew", root)).body.code).toBe("path_reserved");
      const bad = await write("a//b", { value: "x" });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe("path_invalid");
      expect((await write("x/value/y", { value: "mid" })).status).toBe(201);
      expect((await value("x/value/y")).body.value).toBe("mid");
      expect((await t.req<View>("GET", "/v1/secrets/x/value/y", root)).body.path).toBe("x/value/y");
    });

    test("a sealed value copied into another row fails to open instead of revealing the other secret", async () => {
      await write("copy/source", { value: CANARY });
      await write("copy/target", { value: "target-value" });
      const { secrets } = t.ctx.store.t;
      const [src] = await t.ctx.store.db.select().from(secrets).where(eq(secrets.path, "copy/source"));
      await t.ctx.store.tx((tx) =>
        tx
          .update(secrets)
          .set({ value: src?.value as string })
          .where(eq(secrets.path, "copy/target")),
      );
      const r = await value("copy/target");
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.body.value).toBeUndefined();
      expect(r.text).not.toContain(CANARY);
      const failed = (await auditRows(t)).filter((a) => a.path === "copy/target" && a.outcome === "error");
      expect(failed.length).toBe(1);
      // Same path, other version: the version is part of the binding too.
      await write("copy/source", { value: "second" });
      await t.ctx.store.tx((tx) =>
        tx
          .update(secrets)
          .set({ value: src?.value as string })
          .where(eq(secrets.path, "copy/source")),
      );
      const moved = await value("copy/source");
      expect(moved.status).toBeGreaterThanOrEqual(400);
      expect(moved.body.value).toBeUndefined();
    });

    test("versions: list, read one, roll back to an old value and metadata", async () => {
      await write("ver/s", { value: "one", metadata: { description: "first" } });
      await write("ver/s", { value: "two", metadata: { description: "second" } });
      await write("ver/s", { value: "three" });
      const list = await t.req<Versions>("GET", "/v1/secrets/ver/s/versions", root);
      expect(list.status).toBe(200);
      expect(list.body.versions.map((v) => [v.version, v.current, v.archived_at === null])).toEqual([
        [3, true, true],
        [2, false, false],
        [1, false, false],
      ]);
      expect(list.body.versions[2]?.metadata).toEqual({ description: "first" });
      const v1 = await t.req<{ path: string; version: number; value: string }>(
        "GET",
        "/v1/secrets/ver/s/versions/1",
        root,
      );
      expect(v1.body).toEqual({ path: "ver/s", version: 1, value: "one" });
      expect((await t.req("GET", "/v1/secrets/ver/s/versions/3", root)).status).toBe(200);
      expect((await t.req("GET", "/v1/secrets/ver/s/versions/9", root)).status).toBe(404);
      expect((await t.req("GET", "/v1/secrets/ver/s/versions/0", root)).status).toBe(400);
      expect((await t.req("GET", "/v1/secrets/ver/none/versions", root)).status).toBe(404);
      expect((await t.req("GET", "/v1/secrets/ver/s/versions", { token: writer })).status).toBe(403);

      const back = await t.req<View>("POST", "/v1/secrets/ver/s/rollback", { ...root, body: { version: 1 } });
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ version: 4, metadata: { description: "first" } });
      expect((await value("ver/s")).body).toMatchObject({ value: "one", version: 4 });
      expect(
        (await t.req("POST", "/v1/secrets/ver/s/rollback", { ...root, body: { version: 42 } })).status,
      ).toBe(404);
      expect((await t.req<Err>("POST", "/v1/secrets/ver/s/rollback", { ...root, body: {} })).body.field).toBe(
        "version",
      );
      expect(
        (await t.req("POST", "/v1/secrets/ver/s/rollback", { token: rw, body: { version: 1 } })).status,
      ).toBe(403);
      expect((await auditRows(t)).some((r) => r.action === "secret.rollback" && r.path === "ver/s")).toBe(
        true,
      );
    });

    test("concurrent writes to one path get consecutive versions (or a 409 to retry), never a lost update", async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => write("race/s", { value: `v${i}` })),
      );
      const statuses = results.map((r) => r.status);
      for (const s of statuses) expect([200, 201, 409]).toContain(s);
      const ok = statuses.filter((s) => s < 300).length;
      expect(statuses.filter((s) => s === 201).length).toBe(1);
      const history = await t.req<Versions>("GET", "/v1/secrets/race/s/versions", root);
      expect(history.body.versions.map((v) => v.version)).toEqual(
        Array.from({ length: ok }, (_, i) => ok - i),
      );
    });

    test("PATCH replaces the metadata; merge-patch merges and null deletes; the value is kept", async () => {
      await write("meta/s", { value: "kept", metadata: { description: "d", owner: "o" } });
      const replaced = await t.req<View>("PATCH", "/v1/secrets/meta/s", {
        ...root,
        body: { metadata: { owner: "p" } },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ version: 2, metadata: { owner: "p" } });
      expect(replaced.body.metadata).toEqual({ owner: "p" });
      const merged = await t.req<View>("PATCH", "/v1/secrets/meta/s", {
        ...root,
        headers: { "content-type": "application/merge-patch+json" },
        body: { metadata: { description: "n", team: "core", owner: null } },
      });
      expect(merged.status).toBe(200);
      expect(merged.body.metadata).toEqual({ description: "n", team: "core" });
      expect((await value("meta/s")).body).toMatchObject({ value: "kept", version: 3 });
      const nullReplace = await t.req<Err>("PATCH", "/v1/secrets/meta/s", {
        ...root,
        body: { metadata: { team: null } },
      });
      expect(nullReplace.status).toBe(400);
      expect(nullReplace.body.field).toBe("metadata.team");
      expect(
        (await t.req("PATCH", "/v1/secrets/meta/none", { ...root, body: { metadata: {} } })).status,
      ).toBe(404);
      expect(
        (await t.req("PATCH", "/v1/secrets/meta/s", { token: viewer, body: { metadata: {} } })).status,
      ).toBe(403);
      expect(
        (await auditRows(t)).filter((r) => r.action === "secret.metadata_update").length,
      ).toBeGreaterThanOrEqual(2);
    });

    test("security metadata: refused for a write-only agent, allowed for admin on the path, hidden from others", async () => {
      const refused = await write(
        "w/key",
        { value: "x", metadata: { allowed_domains: "evil.example" } },
        writer,
      );
      expect(refused.status).toBe(403);
      expect(refused.body.error).toContain("allowed_domains");
      expect((await t.req("GET", "/v1/secrets/w/key", root)).status).toBe(404);
      expect((await write("w/key", { value: "x", metadata: { description: "fine" } }, writer)).status).toBe(
        201,
      );
      const patch = await t.req("PATCH", "/v1/secrets/w/key", {
        token: writer,
        headers: { "content-type": "application/merge-patch+json" },
        body: { metadata: { header_name: "X-Api-Key" } },
      });
      expect(patch.status).toBe(403);

      const set = await write(
        "owned/key",
        { value: "x", metadata: { allowed_domains: "api.example.com", description: "d" } },
        pathAdmin,
      );
      expect(set.status).toBe(201);
      expect(set.body.metadata.allowed_domains).toBe("api.example.com");
      // Removing a security key widens where the secret may go: that needs admin too.
      const remove = await t.req("PATCH", "/v1/secrets/owned/key", {
        token: writer,
        headers: { "content-type": "application/merge-patch+json" },
        body: { metadata: { allowed_domains: null } },
      });
      expect(remove.status).toBe(403);
      expect(
        (
          await t.req("PATCH", "/v1/secrets/owned/key", {
            token: writer,
            body: { metadata: { description: "e" } },
          })
        ).status,
      ).toBe(403);
      const newValue = await write("owned/key", { value: "rotated" }, writer);
      expect(newValue.status).toBe(200);
      // The writer is not admin there: it does not see the security keys.
      expect(newValue.body.metadata).toEqual({ description: "d" });
      const asAdmin = await t.req<View>("GET", "/v1/secrets/owned/key", { token: pathAdmin });
      expect(asAdmin.body.metadata).toEqual({ allowed_domains: "api.example.com", description: "d" });
      const denied = (await auditRows(t)).filter((r) => r.outcome === "denied" && r.path === "owned/key");
      expect(denied.length).toBeGreaterThanOrEqual(2);
      expect(denied.every((r) => r.success === false)).toBe(true);
    });

    test("list is filtered by policy, prefixes match exactly, viewers see metadata but never values", async () => {
      for (const p of ["agents/a1/x", "agents/a1/y", "agents/a2/z", "team/a_b", "team/aXb"]) {
        await write(p, { value: "v", metadata: { description: p, auth_scheme: "bearer" } });
      }
      const mine = await t.req<{ secrets: View[] }>("GET", "/v1/secrets?prefix=agents/", { token: rw });
      expect(mine.status).toBe(200);
      expect(mine.body.secrets.map((s) => s.path)).toEqual(["agents/a1/x", "agents/a1/y"]);
      expect(mine.body.secrets[0]?.caps).toEqual(["read", "write", "delete", "list"]);
      expect(mine.body.secrets[0]?.metadata).toEqual({ description: "agents/a1/x" });
      const all = await t.req<{ secrets: View[] }>("GET", "/v1/secrets", { token: rw });
      expect(all.body.secrets.every((s) => s.path.startsWith("agents/a1/"))).toBe(true);
      const underscore = await t.req<{ secrets: View[] }>("GET", "/v1/secrets?prefix=team/a_", root);
      expect(underscore.body.secrets.map((s) => s.path)).toEqual(["team/a_b"]);
      expect(
        (await t.req<{ secrets: View[] }>("GET", "/v1/secrets?prefix=TEAM/", root)).body.secrets,
      ).toEqual([]);
      expect((await t.req<Err>("GET", "/v1/secrets?prefix=../x", root)).body.code).toBe("invalid_request");

      const seen = await t.req<{ secrets: View[] }>("GET", "/v1/secrets?prefix=team/", { token: viewer });
      expect(seen.body.secrets.map((s) => s.path)).toEqual(["team/aXb", "team/a_b"]);
      expect(seen.body.secrets[0]?.caps).toEqual(["list"]);
      expect((await t.req("GET", "/v1/secrets/team/a_b", { token: viewer })).status).toBe(200);
      const noValue = await value("team/a_b", viewer);
      expect(noValue.status).toBe(403);
      expect(noValue.body.error).toContain("Viewers");
      expect((await t.req("GET", "/v1/secrets/team/a_b/versions/1", { token: viewer })).status).toBe(403);
      expect((await t.req("GET", "/v1/secrets/agents/a2/z", { token: rw })).status).toBe(403);
      expect((await auditRows(t)).some((r) => r.action === "secret.list")).toBe(true);
    });

    test("a read that needs approval becomes a pending request; the value is not handed out", async () => {
      await write("gated/key", { value: CANARY });
      const r = await value("gated/key", gated);
      expect(r.status).toBe(202);
      expect((r.body as unknown as { status: string }).status).toBe("pending");
      expect(r.text).not.toContain(CANARY);
      // Listing is not gated: it hands nothing over.
      expect((await t.req("GET", "/v1/secrets/gated/key", { token: gated })).status).toBe(200);
    });

    test("delete is soft: history kept, leases revoked, a new write continues the numbering", async () => {
      await write("del/s", { value: "a" });
      await write("del/s", { value: "b" });
      const lease = await t.req<{ lease: { id: string } }>("POST", "/v1/lease/del/s", root);
      expect(lease.status).toBe(200);
      expect((await t.req("DELETE", "/v1/secrets/del/s", { token: rw })).status).toBe(403);
      const del = await t.req<{ deleted: boolean; leases_revoked: number }>(
        "DELETE",
        "/v1/secrets/del/s",
        root,
      );
      expect(del.status).toBe(200);
      expect(del.body).toMatchObject({ deleted: true, leases_revoked: 1 });
      expect((await t.req("GET", "/v1/secrets/del/s", root)).status).toBe(404);
      expect((await t.req("DELETE", "/v1/secrets/del/s", root)).status).toBe(404);
      const { leases, secretVersions } = t.ctx.store.t;
      const [l] = await t.ctx.store.db.select().from(leases).where(eq(leases.id, lease.body.lease.id));
      expect(l?.revokeReason).toBe("secret_deleted");
      expect((await t.req<{ secrets: View[] }>("GET", "/v1/secrets?prefix=del/", root)).body.secrets).toEqual(
        [],
      );

      const again = await write("del/s", { value: "c" });
      expect(again.status).toBe(201);
      expect(again.body.version).toBe(3);
      const history = await t.req<Versions>("GET", "/v1/secrets/del/s/versions", root);
      expect(history.body.versions.map((v) => v.version)).toEqual([3, 2, 1]);
      expect((await t.req<{ value: string }>("GET", "/v1/secrets/del/s/versions/2", root)).body.value).toBe(
        "b",
      );
      const archived = await t.ctx.store.db
        .select()
        .from(secretVersions)
        .where(eq(secretVersions.path, "del/s"));
      expect(archived.length).toBe(2);
      expect((await auditRows(t)).some((r) => r.action === "secret.delete" && r.path === "del/s")).toBe(true);
    });

    test("bulk import: .env parsing, dry run, prefix, and results", async () => {
      const env = [
        "# a comment",
        "",
        "export DATABASE_URL=postgres://u@h/db",
        `API_KEY="${CANARY}"`,
        "QUOTED='single # not a comment'",
        'ESCAPED="line1\\nline2"',
        "INLINE=value # trailing comment",
        'PEM="-----BEGIN-----',
        "abc",
        '-----END-----"',
      ].join("\n");
      const dry = await t.req<{ dry_run: boolean; would_import: string[] }>("POST", "/v1/secrets-bulk", {
        ...root,
        body: { prefix: "imp/", env_text: env, dry_run: true },
      });
      expect(dry.status).toBe(200);
      expect(dry.body).toEqual({
        dry_run: true,
        would_import: [
          "imp/database-url",
          "imp/api-key",
          "imp/quoted",
          "imp/escaped",
          "imp/inline",
          "imp/pem",
        ],
      });
      expect((await t.req("GET", "/v1/secrets/imp/api-key", root)).status).toBe(404);

      const done = await t.req<{ imported_count: number; paths: string[] }>("POST", "/v1/secrets-bulk", {
        ...root,
        body: {
          prefix: "imp",
          env_text: env,
          secrets: [{ path: "extra", value: "e", metadata: { description: "x" } }],
        },
      });
      expect(done.status).toBe(200);
      expect(done.body.imported_count).toBe(7);
      expect((await value("imp/api-key")).body.value).toBe(CANARY);
      expect((await value("imp/database-url")).body.value).toBe("postgres://u@h/db");
      expect((await value("imp/quoted")).body.value).toBe("single # not a comment");
      expect((await value("imp/escaped")).body.value).toBe("line1\nline2");
      expect((await value("imp/inline")).body.value).toBe("value");
      expect((await value("imp/pem")).body.value).toBe("-----BEGIN-----\nabc\n-----END-----");
      expect((await t.req<View>("GET", "/v1/secrets/imp/extra", root)).body.metadata).toEqual({
        description: "x",
      });
      const rows = await auditRows(t);
      expect(rows.some((r) => r.action === "secret.bulk_import")).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(CANARY);

      const malformed = await t.req<Err>("POST", "/v1/secrets-bulk", {
        ...root,
        body: { env_text: "A=1\nnot a line" },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toContain("line 2");
      expect((await t.req("POST", "/v1/secrets-bulk", { ...root, body: {} })).status).toBe(400);
    });

    test("bulk import is all or nothing: a forbidden path, a reserved path or a failing insert writes nothing", async () => {
      const forbidden = await t.req<Err>("POST", "/v1/secrets-bulk", {
        token: writer,
        body: {
          secrets: [
            { path: "imp2/a", value: "1" },
            { path: "other/b", value: "2" },
          ],
        },
      });
      expect(forbidden.status).toBe(403);
      const reserved = await t.req<Err>("POST", "/v1/secrets-bulk", {
        token: writer,
        body: {
          secrets: [
            { path: "imp2/a", value: "1" },
            { path: "imp2/value", value: "2" },
          ],
        },
      });
      expect(reserved.status).toBe(400);
      expect(reserved.body.code).toBe("path_reserved");
      expect(reserved.body.error).toContain("secrets[1]");
      const dup = await t.req<Err>("POST", "/v1/secrets-bulk", {
        token: writer,
        body: { prefix: "imp2", env_text: "A_B=1", secrets: [{ path: "a-b", value: "2" }] },
      });
      expect(dup.status).toBe(400);
      expect((await t.req("GET", "/v1/secrets/imp2/a", root)).status).toBe(404);

      // A failure inside the transaction, after the first row was written, rolls everything back.
      if (t.engine === "sqlite") {
        await t.ctx.store.exec(
          "CREATE TRIGGER boom BEFORE INSERT ON secrets WHEN NEW.path = 'imp3/boom' BEGIN SELECT RAISE(ABORT, 'boom'); END",
        );
      } else {
        await t.ctx.store.exec(
          "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.path = 'imp3/boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql; CREATE TRIGGER boom BEFORE INSERT ON secrets FOR EACH ROW EXECUTE FUNCTION boom();",
        );
      }
      const failed = await t.req("POST", "/v1/secrets-bulk", {
        ...root,
        body: {
          secrets: [
            { path: "imp3/ok", value: "1" },
            { path: "imp3/boom", value: "2" },
          ],
        },
      });
      // A store refusing the write is 503 `unavailable` (test/faults.test.ts), not a 500.
      expect(failed.status).toBe(503);
      expect((failed.body as Err).code).toBe("unavailable");
      expect((await t.req("GET", "/v1/secrets/imp3/ok", root)).status).toBe(404);
      const ok = await t.req<{ imported_count: number }>("POST", "/v1/secrets-bulk", {
        token: writer,
        body: { secrets: [{ path: "imp2/a", value: "1" }] },
      });
      expect(ok.body.imported_count).toBe(1);
    });
  });
}
