import { describe, expect, test } from "bun:test";
import { encodedForms, MASK, Masker } from "../src/mask";

// The streaming masker behind `gatehouse run`: every injected value and its encodings are replaced,
// however the output is cut into chunks.

const SECRET = "s3cr3t/v@lue+with spaces&more==";
const OTHER = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";

/** Feeds `text` through a masker cut at the given offsets. */
function through(values: string[], text: string, cuts: number[]): string {
  const m = new Masker(values);
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  let last = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(m.push(bytes.subarray(last, c)));
    last = c;
  }
  out.push(m.end());
  return Buffer.concat(out).toString();
}

function randomCuts(len: number, seed: number): number[] {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const cuts = new Set<number>();
  const n = Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) cuts.add(Math.floor(rnd() * len));
  return [...cuts].sort((a, b) => a - b);
}

describe("Masker", () => {
  test("the masked forms: raw, base64 (padded and not), base64url, URL-encoded", () => {
    const forms = encodedForms(SECRET);
    expect(forms).toContain(SECRET);
    expect(forms).toContain(Buffer.from(SECRET).toString("base64"));
    expect(forms).toContain(Buffer.from(SECRET).toString("base64url"));
    expect(forms).toContain(encodeURIComponent(SECRET));
  });

  test("every form is masked, whatever the chunking", () => {
    const text = [
      `raw ${SECRET} end`,
      `b64 ${Buffer.from(SECRET).toString("base64")}`,
      `b64url ${Buffer.from(SECRET).toString("base64url")}`,
      `url ${encodeURIComponent(SECRET)}`,
      `form ${encodeURIComponent(SECRET).replace(/%20/g, "+")}`,
      `other ${OTHER}${OTHER} done ✓ ünïcødé`,
    ].join("\n");
    const bytes = Buffer.byteLength(text);
    for (let seed = 1; seed < 400; seed++) {
      const cuts = seed === 1 ? Array.from({ length: bytes - 1 }, (_, i) => i + 1) : randomCuts(bytes, seed);
      const out = through([SECRET, OTHER], text, cuts);
      for (const f of [...encodedForms(SECRET), ...encodedForms(OTHER)]) expect(out).not.toContain(f);
      expect(out).toContain("done ✓ ünïcødé");
      expect(out.split(MASK).length - 1).toBe(7);
    }
  });

  test("output without secrets passes through unchanged and unheld", () => {
    const m = new Masker([SECRET]);
    expect(m.push(Buffer.from("hello\n")).toString()).toBe("hello\n");
    // A tail that could start a value is held until the next chunk decides.
    expect(m.push(Buffer.from("x s3c")).toString()).toBe("x ");
    expect(m.push(Buffer.from("ond")).toString()).toBe("s3cond");
    expect(m.push(Buffer.from("s3")).toString()).toBe("");
    expect(m.end().toString()).toBe("s3");
  });

  test("a longer value that contains a shorter one is masked whole", () => {
    const out = through(["abcd", "abcdefgh-long"], "1 abcdefgh-long 2 abcd 3", [6]);
    expect(out).toBe(`1 ${MASK} 2 ${MASK} 3`);
  });

  test("values shorter than 4 characters are not masked", () => {
    expect(through(["ab"], "ab ab", [])).toBe("ab ab");
  });
});
