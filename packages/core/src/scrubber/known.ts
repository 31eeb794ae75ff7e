// Exact values the caller knows are secret (issued or injected credentials) and the encodings
// in which they commonly come back: base64 / base64url (also inside a longer base64 blob such
// as `Basic base64(user:secret)`), URL-encoding and JSON string escaping.

const MIN_KNOWN = 6;
const MIN_FRAGMENT = 8;
const encoder = new TextEncoder();

type WithBase64 = Uint8Array & { toBase64?: () => string };

// The native encoder (Bun, current browsers) is ~20x faster than building a binary string for btoa.
function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as WithBase64).toBase64;
  if (native) return native.call(bytes);
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] ?? 0);
  return btoa(bin);
}

const stripPadding = (b64: string): string =>
  b64.endsWith("==") ? b64.slice(0, -2) : b64.endsWith("=") ? b64.slice(0, -1) : b64;

const toUrlSafe = (b64: string): string => stripPadding(b64).replaceAll("+", "-").replaceAll("/", "_");

/**
 * The part of base64(prefix + value + suffix) that depends only on `value`, for each of the
 * three byte alignments `value` can have inside a longer encoded blob.
 */
function base64Fragments(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const padded = new Uint8Array(pad + bytes.length);
    padded.set(bytes, pad);
    const full = bytesToBase64(padded);
    const skip = Math.ceil((pad * 8) / 6);
    const stable = Math.floor(((pad + bytes.length) * 8) / 6);
    const fragment = full.slice(skip, stable);
    if (fragment.length >= MIN_FRAGMENT) out.push(fragment, toUrlSafe(fragment));
  }
  return out;
}

/**
 * Known values with their encodings worked out once, for a caller that scrubs several texts
 * against the same values (the proxy: each response header, then the body).
 */
export class KnownValues {
  readonly variants: readonly string[];
  /**
   * `derived`: strings built from a known value (the header an injection sent). One that contains a
   * known value (`Bearer <v>`) is searched as it is: its encodings contain the value's own encodings or
   * base64 fragments, already searched. Any other (`Basic base64(<v>:)`) gets every encoding too.
   */
  constructor(known: readonly string[], derived: readonly string[] = []) {
    const wrapping = (d: string) => known.some((k) => k.length >= MIN_KNOWN && d.includes(k));
    const exact = derived.filter((d) => d.length >= MIN_KNOWN && wrapping(d));
    const variants = knownVariants([...known, ...derived.filter((d) => !wrapping(d))]);
    this.variants = exact.length
      ? [...new Set([...variants, ...exact])].sort((a, b) => b.length - a.length)
      : variants;
  }
}

export type Known = readonly string[] | KnownValues;

export const variantsOf = (known: Known): readonly string[] =>
  known instanceof KnownValues ? known.variants : knownVariants(known);

/** Every string to search for, longest first, so a longer encoding wins an overlap. */
export function knownVariants(known: readonly string[]): string[] {
  const out = new Set<string>();
  for (const value of known) {
    if (value.length < MIN_KNOWN) continue;
    const bytes = encoder.encode(value);
    const b64 = bytesToBase64(bytes);
    out.add(value);
    out.add(b64);
    out.add(stripPadding(b64));
    out.add(toUrlSafe(b64));
    for (const f of base64Fragments(bytes)) out.add(f);
    out.add(encodeURIComponent(value));
    out.add(encodeURIComponent(value).replace(/%20/g, "+"));
    out.add(JSON.stringify(value).slice(1, -1));
  }
  return [...out].filter((v) => v.length >= MIN_KNOWN).sort((a, b) => b.length - a.length);
}

const INDEXED_FROM = 48;

/**
 * [start, end) of every occurrence of every variant. A few variants: one `indexOf` pass each.
 * Many (a caller passing every issued credential): one pass over the text looking up the next
 * three characters in a table of variant openings, so the cost stays one pass.
 */
export function findKnown(text: string, variants: readonly string[]): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  if (variants.length < INDEXED_FROM) {
    for (const v of variants) {
      let at = text.indexOf(v);
      while (at !== -1) {
        spans.push([at, at + v.length]);
        at = text.indexOf(v, at + v.length);
      }
    }
    return spans;
  }
  const byOpening = new Map<number, string[]>();
  const key = (s: string, i: number) =>
    s.charCodeAt(i) + s.charCodeAt(i + 1) * 0x10000 + s.charCodeAt(i + 2) * 0x100000000;
  for (const v of variants) {
    const k = key(v, 0);
    const list = byOpening.get(k);
    if (list) list.push(v);
    else byOpening.set(k, [v]);
  }
  for (let i = 0; i + 2 < text.length; i++) {
    const list = byOpening.get(key(text, i));
    if (!list) continue;
    for (const v of list) if (text.startsWith(v, i)) spans.push([i, i + v.length]);
  }
  return spans;
}
