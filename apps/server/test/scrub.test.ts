import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./harness/app";

const ROOT = "root-token-for-scrub-tests-0123456789abcdef";
// Built at run time so no credential-shaped literal sits in the repository.
const ghToken = `ghp_${"a1B2c3D4e5F6g7H8i9J0".repeat(2).slice(0, 36)}`;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp("sqlite", { GATEHOUSE_ROOT_TOKEN: ROOT });
});
afterAll(() => t.close());

describe("/v1/scrub", () => {
  test("redacts with positions in the original text (Gatehouse shape)", async () => {
    const text = `first ${ghToken} then ${ghToken} end`;
    const r = await t.req<{ scrubbed: string; redactions: { type: string; position: number }[] }>(
      "POST",
      "/v1/scrub",
      {
        token: ROOT,
        body: { text },
      },
    );
    expect(r.status).toBe(200);
    expect(r.body.scrubbed).not.toContain(ghToken);
    expect(r.body.scrubbed).toContain("ghp_");
    expect(r.body.redactions.map((x) => x.position)).toEqual([
      text.indexOf(ghToken),
      text.lastIndexOf(ghToken),
    ]);
  });

  test("check says whether credentials are present; a git SHA is not one", async () => {
    const yes = await t.req<{ contains_credentials: boolean }>("POST", "/v1/scrub/check", {
      token: ROOT,
      body: { text: `token=${ghToken}` },
    });
    expect(yes.body.contains_credentials).toBe(true);
    const sha = "3f786850e387550fdab836ed7e6dc881de23001b";
    const no = await t.req<{ contains_credentials: boolean }>("POST", "/v1/scrub/check", {
      token: ROOT,
      body: { text: `commit ${sha}` },
    });
    expect(no.body.contains_credentials).toBe(false);
  });

  test("needs authentication and a text field", async () => {
    expect((await t.req("POST", "/v1/scrub", { body: { text: "x" } })).status).toBe(401);
    expect((await t.req("POST", "/v1/scrub/check", { body: { text: "x" } })).status).toBe(401);
    const bad = await t.req<{ code: string; field: string }>("POST", "/v1/scrub", {
      token: ROOT,
      body: { txt: "x" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_request");
    expect((await t.req("POST", "/v1/scrub/check", { token: ROOT, body: { text: 5 } })).status).toBe(400);
  });
});
