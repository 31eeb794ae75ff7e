import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./harness/app";

const ROOT = "root-token-for-config-tests-0123456789abcdef";
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
});
afterAll(() => t.close());

describe("Gatehouse's config and version routes", () => {
  test("/v1/config answers Gatehouse's shape to an authenticated caller", async () => {
    const r = await t.req<Record<string, unknown>>("GET", "/v1/config", { token: ROOT });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      root_token_set: true,
      max_lease_ttl: 86400,
      min_lease_ttl: 10,
      default_lease_ttl: 300,
      oauth_enabled: false,
    });
    expect((await t.req("GET", "/v1/config")).status).toBe(401);
  });

  test("/v1/version/check never phones home", async () => {
    const r = await t.req<Record<string, unknown>>("GET", "/v1/version/check", { token: ROOT });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ current: t.ctx.config.version, check_disabled: true });
    expect((await t.req("GET", "/v1/version/check", { token: "bogus" })).status).toBe(401);
  });
});
