import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  decodeSealed,
  deriveKey,
  encodeSealed,
  fingerprint,
  type Keyring,
  open,
  openString,
  PURPOSES,
  parseMasterKey,
  randomToken,
  rewrap,
  type Sealed,
  seal,
  sha256Hex,
  timingSafeEqualStr,
} from "../src/crypto";
import { fromBase64Url, toBase64Url } from "../src/crypto/bytes";
import { isGatehouseError } from "../src/errors";

const HEX_A = "a1".repeat(32);
const HEX_B = "b2".repeat(32);
const HEX_C = "c3".repeat(32);
const ring = (hex: string, version = 1, previous?: string): Keyring => ({
  version,
  current: parseMasterKey(hex),
  ...(previous ? { previous: parseMasterKey(previous) } : {}),
});

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (isGatehouseError(e)) return e.code;
    throw e;
  }
  return undefined;
}

describe("parseMasterKey", () => {
  test("accepts lower and upper hex, trims the newline of a key file", () => {
    expect(parseMasterKey(`${HEX_A}\n`)).toEqual(parseMasterKey(HEX_A.toUpperCase()));
    expect(parseMasterKey(`  ${HEX_A}\r\n`).length).toBe(32);
    expect(parseMasterKey("0123456789abcdefABCDEF".padEnd(64, "0"))[0]).toBe(0x01);
  });

  test("refuses non-hex and wrong lengths without echoing the key", () => {
    const bad = [
      "z".repeat(64),
      HEX_A.slice(0, 63),
      `${HEX_A}0`,
      "",
      `0x${HEX_A.slice(2)}`,
      `${HEX_A.slice(0, 32)} ${HEX_A.slice(33)}`,
    ];
    for (const key of bad) {
      try {
        parseMasterKey(key);
        throw new Error("accepted");
      } catch (e) {
        expect(isGatehouseError(e) && e.code).toBe("invalid_request");
        const message = (e as Error).message;
        if (key.length >= 8) expect(message).not.toContain(key.slice(0, 8));
      }
    }
  });
});

describe("deriveKey", () => {
  test("is deterministic, separated by purpose and by master key", () => {
    const m = parseMasterKey(HEX_A);
    const keys = PURPOSES.map((p) => toBase64Url(deriveKey(m, p)));
    expect(new Set(keys).size).toBe(PURPOSES.length);
    expect(deriveKey(m, "secret")).toEqual(deriveKey(m, "secret"));
    expect(deriveKey(m, "secret")).not.toEqual(deriveKey(parseMasterKey(HEX_B), "secret"));
    expect(deriveKey(m, "jwt", 64).length).toBe(64);
  });

  test("refuses short keys and unknown purposes", () => {
    expect(codeOf(() => deriveKey(new Uint8Array(16), "secret"))).toBe("invalid_request");
    expect(codeOf(() => deriveKey(parseMasterKey(HEX_A), "nope" as "secret"))).toBe("invalid_request");
  });

  test("fingerprint is 32 hex chars, stable, and differs per key", () => {
    const f = fingerprint(parseMasterKey(HEX_A));
    expect(f).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprint(parseMasterKey(HEX_A))).toBe(f);
    expect(fingerprint(parseMasterKey(HEX_B))).not.toBe(f);
    expect(f).not.toContain(HEX_A.slice(0, 8));
  });
});

describe("seal / open", () => {
  const k = ring(HEX_A);

  test("round-trips strings and bytes through the string form (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "grapheme", maxLength: 200 }), fc.uint8Array({ maxLength: 300 })),
        fc.string({ maxLength: 80 }),
        fc.constantFrom(...PURPOSES),
        (value, context, purpose) => {
          const text = encodeSealed(seal(k, purpose, context, value));
          expect(text).toMatch(/^v1\.1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
          if (typeof value === "string") expect(openString(k, purpose, context, text)).toBe(value);
          else expect(open(k, purpose, context, text)).toEqual(value);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a value moved to another context fails to open (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (value, a, b) => {
        fc.pre(a !== b);
        const sealed = seal(k, "secret", a, value);
        expect(codeOf(() => open(k, "secret", b, sealed))).toBe("internal");
      }),
      { numRuns: 100 },
    );
  });

  test("the same value sealed twice differs (fresh DEK and nonces)", () => {
    const a = encodeSealed(seal(k, "secret", "secret:a:1", "x"));
    const b = encodeSealed(seal(k, "secret", "secret:a:1", "x"));
    expect(a).not.toBe(b);
  });

  test("another purpose cannot open it", () => {
    const sealed = seal(k, "secret", "ctx", "v");
    expect(codeOf(() => open(k, "totp", "ctx", sealed))).toBe("key_mismatch");
  });

  test("flipping any byte of any part fails", () => {
    const sealed = seal(k, "secret", "secret:db/pw:3", "hunter2");
    const parts = ["dekNonce", "wrappedDek", "nonce", "ciphertext"] as const;
    for (const part of parts) {
      for (let i = 0; i < sealed[part].length; i++) {
        const copy: Sealed = { ...sealed, [part]: sealed[part].slice() };
        copy[part][i] = (copy[part][i] ?? 0) ^ 0x01;
        expect(codeOf(() => open(k, "secret", "secret:db/pw:3", copy))).toMatch(/^(key_mismatch|internal)$/);
      }
    }
  });

  test("a wrong master key fails with key_mismatch", () => {
    const sealed = seal(k, "secret", "c", "v");
    expect(codeOf(() => open(ring(HEX_B), "secret", "c", sealed))).toBe("key_mismatch");
  });

  test("falls back to the previous key while a rotation rolls out", () => {
    const sealed = seal(ring(HEX_A, 1), "secret", "c", "v");
    expect(openString(ring(HEX_B, 2, HEX_A), "secret", "c", sealed)).toBe("v");
    expect(codeOf(() => open(ring(HEX_B, 2, HEX_C), "secret", "c", sealed))).toBe("key_mismatch");
  });

  test("rewrap moves the DEK to the new key and keeps the value ciphertext", () => {
    const old = ring(HEX_A, 1);
    const next = ring(HEX_B, 2);
    const sealed = seal(old, "lease_credential", "lease:1", "s3cret");
    const moved = rewrap(encodeSealed(sealed), old, next, "lease_credential");
    expect(moved.keyVersion).toBe(2);
    expect(moved.ciphertext).toEqual(sealed.ciphertext);
    expect(moved.nonce).toEqual(sealed.nonce);
    expect(moved.wrappedDek).not.toEqual(sealed.wrappedDek);
    expect(openString(next, "lease_credential", "lease:1", moved)).toBe("s3cret");
    expect(codeOf(() => open(old, "lease_credential", "lease:1", moved))).toBe("key_mismatch");
    // Context binding survives rewrap.
    expect(codeOf(() => open(next, "lease_credential", "lease:2", moved))).toBe("internal");
    // Rewrapping with the wrong source key fails rather than producing garbage.
    expect(codeOf(() => rewrap(sealed, ring(HEX_C), next, "lease_credential"))).toBe("key_mismatch");
  });

  test("cached KEKs follow a key array that is changed in place", () => {
    const key = parseMasterKey(HEX_A);
    const kr: Keyring = { version: 1, current: key };
    const sealed = seal(kr, "secret", "c", "v");
    key.set(parseMasterKey(HEX_B));
    expect(codeOf(() => open(kr, "secret", "c", sealed))).toBe("key_mismatch");
    expect(openString({ version: 1, current: parseMasterKey(HEX_A) }, "secret", "c", sealed)).toBe("v");
  });

  test("a value opened once (its key now cached) still opens only with its keyring, context and bytes", () => {
    const text = encodeSealed(seal(k, "secret", "secret:c:1", "v"));
    for (let i = 0; i < 3; i++) expect(openString(k, "secret", "secret:c:1", text)).toBe("v");
    expect(codeOf(() => open(ring(HEX_B), "secret", "secret:c:1", text))).toBe("key_mismatch");
    expect(codeOf(() => open(ring(HEX_B, 2, HEX_C), "secret", "secret:c:1", text))).toBe("key_mismatch");
    expect(openString(ring(HEX_B, 2, HEX_A), "secret", "secret:c:1", text)).toBe("v");
    expect(codeOf(() => open(k, "secret", "secret:c:2", text))).toBe("internal");
    expect(codeOf(() => open(k, "totp", "secret:c:1", text))).toBe("key_mismatch");
    // Any change to the stored text is a different entry: decoded and authenticated afresh.
    const last = text.at(-2) === "A" ? "B" : "A";
    const tampered = `${text.slice(0, -2)}${last}${text.at(-1)}`;
    expect(codeOf(() => open(k, "secret", "secret:c:1", tampered))).toMatch(/^(internal|invalid_request)$/);
    // The object form shares the cache by wrapped DEK but authenticates its own ciphertext.
    const obj = decodeSealed(text);
    const flipped: Sealed = { ...obj, ciphertext: obj.ciphertext.slice() };
    flipped.ciphertext[0] = (flipped.ciphertext[0] ?? 0) ^ 1;
    expect(openString(k, "secret", "secret:c:1", obj)).toBe("v");
    expect(codeOf(() => open(k, "secret", "secret:c:1", flipped))).toBe("internal");
  });

  test("openString refuses bytes that are not UTF-8", () => {
    const sealed = seal(k, "secret", "c", new Uint8Array([0xff, 0xfe]));
    expect(codeOf(() => openString(k, "secret", "c", sealed))).toBe("invalid_request");
  });

  test("refuses a malformed keyring", () => {
    expect(codeOf(() => seal({ version: 1, current: new Uint8Array(31) }, "secret", "c", "v"))).toBe(
      "invalid_request",
    );
    expect(codeOf(() => seal({ version: -1, current: parseMasterKey(HEX_A) }, "secret", "c", "v"))).toBe(
      "invalid_request",
    );
  });
});

describe("encodeSealed / decodeSealed", () => {
  const k = ring(HEX_A, 7);

  test("round-trips", () => {
    const sealed = seal(k, "secret", "c", "value");
    const decoded = decodeSealed(encodeSealed(sealed));
    expect(decoded.keyVersion).toBe(7);
    expect(encodeSealed(decoded)).toBe(encodeSealed(sealed));
  });

  test("refuses malformed input with a GatehouseError, never a TypeError (property)", () => {
    const good = encodeSealed(seal(k, "secret", "c", "value"));
    const [, , keyPart = "", valuePart = ""] = good.split(".");
    const bad = [
      "",
      "v1",
      "v2.1.a.b",
      `v1.01.${keyPart}.${valuePart}`,
      `v1.-1.${keyPart}.${valuePart}`,
      `v1.1.${keyPart}`,
      `v1.1.${keyPart}.${valuePart}.x`,
      `v1.1.${keyPart.slice(1)}.${valuePart}`,
      `v1.1.${keyPart}.${valuePart.slice(0, 10)}`,
      `v1.1.${keyPart}=.${valuePart}`,
      `v1.1.${keyPart.replace(/.$/, "+")}.${valuePart}`,
      `v1.1.${keyPart}.${valuePart}\n`,
    ];
    for (const text of bad) expect(codeOf(() => decodeSealed(text))).toBe("invalid_request");
    expect(codeOf(() => decodeSealed(42 as unknown as string))).toBe("invalid_request");
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          decodeSealed(text);
        } catch (e) {
          expect(isGatehouseError(e)).toBe(true);
        }
      }),
    );
    fc.assert(
      // Any change after the "v1.7." header (the key version is only a hint for rotation).
      fc.property(
        fc.integer({ min: 5, max: good.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1 }),
        (i, ch) => {
          const mutated = good.slice(0, i) + ch + good.slice(i + 1);
          fc.pre(mutated !== good);
          expect(() => openString(k, "secret", "c", mutated)).toThrow();
          try {
            openString(k, "secret", "c", mutated);
          } catch (e) {
            expect(isGatehouseError(e)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("helpers", () => {
  test("base64url round-trips and is canonical (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = toBase64Url(bytes);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(bytes);
      }),
    );
    expect(fromBase64Url("AB")).toBeNull(); // non-zero unused bits
    expect(fromBase64Url("AQ")).toEqual(new Uint8Array([1]));
    expect(fromBase64Url("A")).toBeNull();
    expect(toBase64Url(new Uint8Array(100_000)).length).toBe(133_334);
  });

  test("randomToken", () => {
    expect(randomToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toHaveLength(22);
    expect(randomToken()).not.toBe(randomToken());
    expect(codeOf(() => randomToken(0))).toBe("invalid_request");
  });

  test("sha256Hex matches known vectors", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(sha256Hex("abc"));
  });

  test("timingSafeEqualStr agrees with === (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqualStr(a, b)).toBe(a === b);
        expect(timingSafeEqualStr(a, a)).toBe(true);
      }),
    );
    expect(timingSafeEqualStr("abc", "abcd")).toBe(false);
    expect(timingSafeEqualStr("", "")).toBe(true);
  });
});
