import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { isGatehouseError } from "../src/errors";
import { isValidPrefix, isValidSecretPath, RESERVED_SEGMENTS, validateSecretPath } from "../src/paths";

function codeOf(path: string): string | undefined {
  try {
    validateSecretPath(path);
  } catch (e) {
    if (isGatehouseError(e)) return e.code;
    throw e;
  }
  return undefined;
}

const segment = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);

describe("validateSecretPath", () => {
  test.each(["a", "db/password", "team-1/api_key/PROD", "x".repeat(256), "value/x", "a/values", "a/Value"])(
    "accepts %p",
    (path) => {
      expect(validateSecretPath(path)).toBe(path);
    },
  );

  test.each([
    "",
    "/a",
    "a/",
    "a//b",
    "a/../b",
    "..",
    "a/./b",
    "a b",
    "a/b.c",
    "ünïcode",
    "a\\b",
    "a/b%2f",
    "x".repeat(257),
    "a\n",
  ])("refuses %p with path_invalid", (path) => {
    expect(codeOf(path)).toBe("path_invalid");
  });

  test("reserved words as the last segment are path_reserved", () => {
    for (const word of RESERVED_SEGMENTS) {
      expect(codeOf(`a/${word}`)).toBe("path_reserved");
      expect(codeOf(word)).toBe("path_reserved");
      expect(codeOf(`${word}/a`)).toBeUndefined();
    }
    expect(RESERVED_SEGMENTS.size).toBe(8);
  });

  test("non-strings are path_invalid", () => {
    expect(codeOf(42 as unknown as string)).toBe("path_invalid");
  });

  test("valid segments joined by '/' are accepted exactly when short enough and not reserved (property)", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 30 }), (segments) => {
        const path = segments.join("/");
        const last = segments[segments.length - 1] ?? "";
        const expected =
          path.length > 256 ? "path_invalid" : RESERVED_SEGMENTS.has(last) ? "path_reserved" : undefined;
        expect(codeOf(path)).toBe(expected);
        expect(isValidSecretPath(path)).toBe(expected === undefined);
      }),
    );
  });

  test("accepted paths never contain traversal or odd characters (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (path) => {
        if (isValidSecretPath(path)) {
          expect(path).toMatch(/^[a-zA-Z0-9_-]+(\/[a-zA-Z0-9_-]+)*$/);
          expect(path.split("/")).not.toContain("..");
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("isValidPrefix", () => {
  test.each(["", "a/", "a", "team/api/", "a/value/", "a/value"])("accepts %p", (prefix) => {
    expect(isValidPrefix(prefix)).toBe(true);
  });

  test.each(["/", "/a", "a//", "a//b/", "../", "a/../", "a b/", `${"x".repeat(256)}/`])(
    "refuses %p",
    (prefix) => {
      expect(isValidPrefix(prefix)).toBe(false);
    },
  );

  test("every valid path with '/' appended is a valid prefix (property)", () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 10 }), (segments) => {
        const path = segments.join("/");
        expect(isValidPrefix(`${path}/`)).toBe(path.length < 256);
      }),
    );
  });
});
