// Output masking for `gatehouse run`: the child's stdout and stderr pass through a Masker that replaces
// every injected value, and its base64, base64url and URL-encoded forms, with a placeholder. It works
// on bytes and is safe across chunk boundaries: a chunk's tail that could be the start of a value is
// held back until the next chunk (or the end of the stream) shows whether it is one.

export const MASK = "[REDACTED]";

/** Values shorter than this are not masked (they would shred ordinary output); `run` warns about them. */
export const MIN_MASKED_LENGTH = 4;

/** The forms of one value that are masked. */
export function encodedForms(value: string): string[] {
  const b64 = Buffer.from(value, "utf8").toString("base64");
  const forms = new Set([
    value,
    b64,
    b64.replace(/=+$/, ""),
    Buffer.from(value, "utf8").toString("base64url"),
    encodeURIComponent(value),
    encodeURIComponent(value).replace(/%20/g, "+"),
  ]);
  return [...forms].filter((f) => f.length >= MIN_MASKED_LENGTH);
}

export class Masker {
  private readonly needles: Buffer[];
  private readonly mask: Buffer;
  private readonly firstBytes = new Set<number>();
  private readonly longest: number;
  private held: Buffer = Buffer.alloc(0);

  constructor(values: string[], mask = MASK) {
    const all = new Set<string>();
    for (const v of values) if (v.length >= MIN_MASKED_LENGTH) for (const f of encodedForms(v)) all.add(f);
    // Longest first, so a value wins over a shorter value it contains.
    this.needles = [...all].map((s) => Buffer.from(s, "utf8")).sort((a, b) => b.length - a.length);
    this.mask = Buffer.from(mask, "utf8");
    for (const n of this.needles) this.firstBytes.add(n[0] as number);
    this.longest = this.needles[0]?.length ?? 0;
  }

  /** Masked bytes that are safe to emit now; some input may be held back. */
  push(chunk: Uint8Array): Buffer {
    if (this.needles.length === 0) return Buffer.from(chunk);
    const data = Buffer.concat([this.held, chunk]);
    const { out, rest } = this.scan(data, false);
    this.held = rest;
    return out;
  }

  /** Everything still held back, masked; call at the end of the stream. */
  end(): Buffer {
    const { out } = this.scan(this.held, true);
    this.held = Buffer.alloc(0);
    return out;
  }

  private matchAt(data: Buffer, i: number): Buffer | undefined {
    for (const n of this.needles) {
      if (i + n.length <= data.length && data.compare(n, 0, n.length, i, i + n.length) === 0) return n;
    }
    return undefined;
  }

  /** True when data[i..] is a proper prefix of some value: more input could complete a match. */
  private partialAt(data: Buffer, i: number): boolean {
    const tail = data.length - i;
    if (tail >= this.longest) return false;
    for (const n of this.needles) {
      if (n.length > tail && data.compare(n, 0, tail, i, data.length) === 0) return true;
    }
    return false;
  }

  private scan(data: Buffer, final: boolean): { out: Buffer; rest: Buffer } {
    const parts: Buffer[] = [];
    let start = 0;
    let i = 0;
    while (i < data.length) {
      if (!this.firstBytes.has(data[i] as number)) {
        i++;
        continue;
      }
      // A longer value that may still complete wins over a shorter one already complete here.
      if (!final && this.partialAt(data, i)) break;
      const hit = this.matchAt(data, i);
      if (hit) {
        if (i > start) parts.push(data.subarray(start, i));
        parts.push(this.mask);
        i += hit.length;
        start = i;
        continue;
      }
      i++;
    }
    if (i > start) parts.push(data.subarray(start, i));
    return { out: Buffer.concat(parts), rest: Buffer.from(data.subarray(i)) };
  }
}
