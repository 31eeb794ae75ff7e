// Acceptance 2 and the linear-time guarantees: no redaction on a 1 MB benign JSON body,
// adversarial inputs finish quickly, chunked scanning finds what a single pass finds.

import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createScrubber, DETECTORS } from "../src/scrubber/index";
import { benignJsonBody, mixedBody } from "./corpus/bodies";

const scrubber = createScrubber();

describe("large bodies", () => {
  test("no redaction at all on a 1 MB JSON list with git SHAs, UUIDs and base64 thumbnails", () => {
    const body = benignJsonBody(1024 * 1024);
    expect(body.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(body).toContain("data:image/png;base64,");
    const { scrubbed, redactions } = scrubber.scrub(body);
    expect(redactions).toEqual([]);
    expect(scrubbed).toBe(body);
  });

  test("the mixed body has every planted credential redacted", () => {
    const { text, secrets } = mixedBody(256 * 1024);
    const { scrubbed, redactions } = scrubber.scrub(text);
    expect(redactions.length).toBe(secrets);
    expect(scrubbed).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
    expect(scrubbed).not.toMatch(/sk_live_[A-Za-z0-9]{24}/);
  });

  test("chunked scanning finds exactly what one pass finds", () => {
    const { text } = mixedBody(200 * 1024);
    const small = createScrubber({ maxChunkChars: 1024 });
    expect(small.scan(text)).toEqual(scrubber.scan(text));
  });
});

describe("adversarial input stays linear", () => {
  // Each keyword repeated densely, plus long runs of token characters after it: the shapes that
  // make backtracking regexes explode.
  const keywords = [...new Set(DETECTORS.flatMap((d) => d.keywords))];
  const fillers = [
    "a".repeat(300),
    "A1".repeat(150),
    "=".repeat(300),
    " ".repeat(300),
    "0".repeat(300),
    "-_".repeat(150),
  ];

  test("every keyword repeated with pathological fillers scans at well over 1 MB/s", () => {
    for (const filler of fillers) {
      const parts: string[] = [];
      for (let i = 0; parts.join("").length < 400_000; i++)
        parts.push(`${keywords[i % keywords.length]}${filler}`);
      const text = parts.join("");
      const t0 = performance.now();
      scrubber.scan(text);
      const ms = performance.now() - t0;
      expect(ms).toBeLessThan(2000);
    }
  });

  test("many PEM headers without a footer, and many URLs, stay fast", () => {
    const cases = [
      "-----BEGIN PRIVATE KEY-----\nMIIB".repeat(20_000),
      "-----BEGIN RSA PRIVATE KEY-----".repeat(20_000),
      "postgres://u:p".repeat(40_000),
      "password=password=".repeat(30_000),
      "eyJhbGciOiJIUzI1NiJ9.".repeat(30_000),
      `Bearer ${"x".repeat(5000)}`.repeat(100),
      "PuTTY-User-Key-File-2: ".repeat(20_000),
    ];
    for (const text of cases) {
      const t0 = performance.now();
      scrubber.scrub(text);
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});

describe("properties", () => {
  test("redactions are ordered, disjoint, in bounds, and rebuild the scrubbed text", () => {
    const tokenish = fc.constantFrom(
      "ghp_",
      "AKIA",
      "password=",
      "postgres://a:",
      "@h/",
      "-----BEGIN PRIVATE KEY-----",
      "-----END PRIVATE KEY-----",
      "eyJ",
      "sk_live_",
      "xoxb-",
      "Bearer ",
      " ",
      "\n",
      '"',
    );
    const piece = fc.oneof(tokenish, fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9]{30,50}$/));
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 30 }),
        fc.array(fc.string({ minLength: 6, maxLength: 12 }), { maxLength: 2 }),
        (parts, known) => {
          const text = parts.join("");
          const { scrubbed, redactions } = scrubber.scrub(text, known);
          let last = 0;
          let rebuilt = "";
          for (const x of redactions) {
            expect(x.position).toBeGreaterThanOrEqual(last);
            expect(x.length).toBeGreaterThan(0);
            expect(x.position + x.length).toBeLessThanOrEqual(text.length);
            rebuilt += text.slice(last, x.position);
            last = x.position + x.length;
            rebuilt += "\u0000";
          }
          rebuilt += text.slice(last);
          const skeleton = scrubbed.replace(/(?:[^\s"]{0,16}…)?\[REDACTED\]/g, "\u0000");
          expect(skeleton.split("\u0000").length).toBe(rebuilt.split("\u0000").length);
          for (const k of known)
            if (k.length >= 6 && text.includes(k)) expect(scrubbed.includes(k)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
