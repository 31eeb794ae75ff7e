import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  confidence,
  jsonSchema,
  MAX_SCHEMA_KEYS,
  mergeSchema,
  normalizeUrl,
  OUTCOME_WINDOW,
  type Outcome,
  type PatternLike,
  pushOutcome,
  rankPatterns,
  suggest,
  verifiedBy,
} from "../src/patterns";

describe("normalizeUrl", () => {
  test.each([
    [
      "https://api.github.com/repos/octo/hello/issues/1347",
      "https://api.github.com/repos/octo/hello/issues/:num",
    ],
    [
      "https://x.test/v1/items/0f8fad5b-d9cb-469f-a165-70867728950e/logs/2024-05-01",
      "https://x.test/v1/items/:id/logs/:date",
    ],
    ["https://x.test/v1/at/2024-05-01T10:20:30Z", "https://x.test/v1/at/:date"],
    ["https://x.test/commits/0123456789abcdef0123456789abcdef01234567", "https://x.test/commits/:hash"],
    ["https://X.Test:443/a?b=2&a=1&b=3#frag", "https://x.test/a?a=&b="],
    ["http://x.test:8080/a/", "http://x.test:8080/a/"],
    ["https://x.test/a/./b/../c", "https://x.test/a/c"],
    ["https://x.test/v2", "https://x.test/v2"],
    ["https://x.test/user/%31%32", "https://x.test/user/:num"],
    ["https://x.test/{{secret:gh/token}}/x?key={{secret:k}}", "https://x.test/{{secret:gh/token}}/x?key="],
  ])("%s -> %s", (url, template) => {
    expect(normalizeUrl(url).template).toBe(template);
  });

  test("host and path are reported separately; query values never survive", () => {
    const n = normalizeUrl("https://api.test:8443/users/42?token=abc123secret&page=2");
    expect(n).toEqual({
      host: "api.test:8443",
      path: "/users/:num",
      template: "https://api.test:8443/users/:num?page=&token=",
    });
    expect(n.template).not.toContain("abc123secret");
  });

  test("property: query values never appear in the template, and normalizing twice changes nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 6 }),
        fc.stringMatching(/^[A-Za-z]{16,24}$/),
        (segments, value) => {
          const url = `https://h.test/${segments.join("/")}?q=${value}`;
          const once = normalizeUrl(url).template;
          expect(once).not.toContain(value);
          expect(normalizeUrl(once).template).toBe(once);
        },
      ),
    );
  });

  test("throws on a string that is not a URL", () => {
    expect(() => normalizeUrl("not a url")).toThrow();
  });
});

describe("jsonSchema / mergeSchema", () => {
  test("objects: keys and types only, never values", () => {
    const s = jsonSchema({ name: "octo", id: 7, ok: true, gone: null, tags: ["a"], owner: { login: "x" } });
    expect(s).toEqual({
      gone: "null",
      id: "number",
      name: "string",
      ok: "boolean",
      owner: "object",
      tags: "array<string>",
    });
    expect(JSON.stringify(s)).not.toContain("octo");
  });

  test("arrays record the element type and the first object's keys; scalars record their type", () => {
    expect(jsonSchema([{ id: 1, title: "t" }, { id: 2 }])).toEqual({
      "[]": "array<object>",
      "[].id": "number",
      "[].title": "string",
    });
    expect(jsonSchema([])).toEqual({ "[]": "array<unknown>" });
    expect(jsonSchema([null, 3])).toEqual({ "[]": "array<number>" });
    expect(jsonSchema("x")).toEqual({ $: "string" });
    expect(jsonSchema(null)).toEqual({ $: "null" });
  });

  test("id-like keys collapse; the key count is bounded", () => {
    expect(jsonSchema({ "123": 1, "0f8fad5b-d9cb-469f-a165-70867728950e": {} })).toEqual({
      ":num": "number",
      ":id": "object",
    });
    const big = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(jsonSchema(big)).length).toBe(MAX_SCHEMA_KEYS);
  });

  test("merge is a union; differing types are kept together", () => {
    const m = mergeSchema({ a: "string", b: "number" }, { a: "null", c: "boolean" });
    expect(m).toEqual({ a: "null|string", b: "number", c: "boolean" });
    expect(mergeSchema(m, { a: "string" })).toEqual(m);
    expect(mergeSchema(null, { x: "string" })).toEqual({ x: "string" });
  });
});

const out = (ok: boolean, agent = "approle:a", at = 0): Outcome => ({ agent, ok, at });

describe("confidence", () => {
  test("rolling over the last 20 outcomes", () => {
    let list: Outcome[] = [];
    for (let i = 0; i < 20; i++) list = pushOutcome(list, out(false));
    expect(confidence(list)).toBe(0);
    for (let i = 0; i < 15; i++) list = pushOutcome(list, out(true));
    expect(list.length).toBe(OUTCOME_WINDOW);
    expect(confidence(list)).toBe(0.75);
    for (let i = 0; i < 5; i++) list = pushOutcome(list, out(true));
    expect(confidence(list)).toBe(1);
    expect(confidence([])).toBe(0);
  });

  test("verified_by counts distinct agents with a success", () => {
    expect(verifiedBy([out(true, "a"), out(true, "b"), out(true, "a"), out(false, "c")])).toBe(2);
  });
});

const pattern = (p: Partial<PatternLike> & { urlTemplate: string }): PatternLike => ({
  method: "GET",
  pinned: false,
  successCount: 1,
  recentOutcomes: [out(true)],
  ...p,
});

describe("rank and suggest", () => {
  test("pinned first, then confidence, then successes", () => {
    const low = pattern({
      urlTemplate: "https://h/low",
      recentOutcomes: [out(true), out(false), out(false)],
    });
    const many = pattern({ urlTemplate: "https://h/many", successCount: 50 });
    const few = pattern({ urlTemplate: "https://h/few", successCount: 2 });
    const pinned = pattern({ urlTemplate: "https://h/pinned", pinned: true, recentOutcomes: [out(false)] });
    expect(rankPatterns([low, few, pinned, many]).map((p) => p.urlTemplate)).toEqual([
      "https://h/pinned",
      "https://h/many",
      "https://h/few",
      "https://h/low",
    ]);
  });

  test("suggestions: pinned or confidence > 0.5, closest to the failed call first, at most 5, never the failed call", () => {
    const failed = { method: "GET", template: "https://api.test/repos/:num/issues" };
    const ps = [
      pattern({ urlTemplate: "https://api.test/repos/:num/issues" }),
      pattern({ urlTemplate: "https://api.test/repos/:num/pulls" }),
      pattern({ urlTemplate: "https://api.test/user", successCount: 90 }),
      pattern({ urlTemplate: "https://other.test/repos/:num/issues" }),
      pattern({ urlTemplate: "https://api.test/half", recentOutcomes: [out(true), out(false)] }),
      pattern({ urlTemplate: "https://api.test/pinned-bad", pinned: true, recentOutcomes: [out(false)] }),
      ...Array.from({ length: 6 }, (_, i) => pattern({ urlTemplate: `https://z.test/${i}` })),
    ];
    const s = suggest(ps, failed).map((p) => p.urlTemplate);
    expect(s.length).toBe(5);
    expect(s[0]).toBe("https://api.test/repos/:num/pulls");
    expect(s).not.toContain("https://api.test/repos/:num/issues");
    expect(s).not.toContain("https://api.test/half");
    expect(s).toContain("https://api.test/pinned-bad");
    expect(suggest(ps).length).toBe(5);
  });
});
