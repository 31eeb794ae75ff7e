import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestApp, type TestApp } from "./harness/app";

let t: TestApp;
let dist: string;
beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), "gh-dist-"));
  writeFileSync(
    join(dist, "index.html"),
    '<!doctype html><div id="root"></div><script type="module" src="/assets/app.js"></script>',
  );
  t = await createTestApp("sqlite", { GATEHOUSE_MAX_BODY_SIZE: "2048", GATEHOUSE_WEB_DIST: dist });
});
afterAll(() => t.close());

describe("http basics", () => {
  test("/health answers ok with version and uptime", async () => {
    const r = await t.req<{ status: string; version: string; uptime_seconds: number }>("GET", "/health");
    expect(r.status).toBe(200);
    expect(r.body.status).toBe("ok");
    expect(r.body.version).toBe(t.ctx.config.version);
    expect(r.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  });

  test("/health is 503 when the database is gone", async () => {
    const broken = await createTestApp("sqlite");
    await broken.ctx.store.close();
    const r = await broken.req<{ status: string }>("GET", "/health");
    expect(r.status).toBe(503);
    expect(r.body.status).toBe("unavailable");
  });

  test("unknown API routes get the error envelope with the request id", async () => {
    const r = await t.req<{ error: string; code: string; request_id: string }>("GET", "/v1/does-not-exist", {
      headers: { "x-request-id": "client-chosen-id-1" },
    });
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: "No such route", code: "not_found", request_id: "client-chosen-id-1" });
    expect(r.headers.get("x-request-id")).toBe("client-chosen-id-1");
  });

  test("a malformed incoming request id is replaced", async () => {
    const r = await t.req("GET", "/health", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(r.headers.get("x-request-id")).toMatch(/^req_/);
  });

  test("bodies over the limit are 413 payload_too_large", async () => {
    const r = await t.req<{ code: string }>("POST", "/v1/anything", {
      raw: "x".repeat(4096),
      headers: { "content-length": "4096" },
    });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe("payload_too_large");
  });

  test("OpenAPI document at /openapi lists the routes", async () => {
    const r = await t.req<{ openapi: string; paths: Record<string, unknown> }>("GET", "/openapi");
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths)).toContain("/health");
  });

  test("/v1/ui/bootstrap tells the SPA about dev mode and banners", async () => {
    const r = await t.req<{ dev_mode: boolean; root_token_set: boolean }>("GET", "/v1/ui/bootstrap");
    expect(r.status).toBe(200);
    expect(r.body.dev_mode).toBe(true);
    expect(r.body.root_token_set).toBe(false);
    const bad = await t.req("POST", "/v1/ui/bootstrap");
    expect(bad.status).toBe(404);
  });
});

describe("CORS", () => {
  test("only configured origins get CORS headers and preflight answers", async () => {
    const c = await createTestApp("sqlite", { GATEHOUSE_CORS_ORIGINS: "https://tools.example.lan" });
    const ok = await c.req("OPTIONS", "/v1/auth/whoami", {
      headers: { origin: "https://tools.example.lan" },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://tools.example.lan");
    const other = await c.req("GET", "/health", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const same = await c.req("GET", "/health", { headers: { origin: "https://tools.example.lan" } });
    expect(same.headers.get("access-control-allow-origin")).toBe("https://tools.example.lan");
    await c.close();
  });
});

describe("SPA", () => {
  test("serves index.html with a strict CSP for client routes, and assets", async () => {
    mkdirSync(join(dist, "assets"), { recursive: true });
    const r = await t.req("GET", "/secrets/app/db");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(r.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(r.status).toBe(200);
    expect(r.text).toContain('<div id="root">');
    writeFileSync(join(dist, "assets", "gh-test-asset.txt"), "hello");
    const a = await t.req("GET", "/assets/gh-test-asset.txt");
    expect(a.status).toBe(200);
    expect(a.text).toBe("hello");
  });

  test("without a built UI the page says how to build it", async () => {
    const bare = await createTestApp("sqlite", { GATEHOUSE_WEB_DIST: join(dist, "missing") });
    const r = await bare.req("GET", "/");
    await bare.close();
    expect(r.status).toBe(503);
    expect(r.text).toContain("bun run start");
  });

  test("path traversal and missing files are refused", async () => {
    expect((await t.req("GET", "/assets/..%2f..%2fpackage.json")).status).toBe(404);
    expect((await t.req("GET", "/nope.js")).status).toBe(404);
    expect((await t.req("GET", "/%E0%A4%A")).status).toBe(400);
  });
});
