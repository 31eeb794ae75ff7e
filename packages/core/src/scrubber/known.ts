// Exact values the caller knows are secret (issued or injected credentials) and the encodings
// in which they commonly come back: base64 / base64url (also inside a longer base64 blob such
// as `Basic base64(user:secret)`), URL-encoding and JSON string escaping.

const MIN_KNOWN = 6;
const MIN_FRAGMENT = 8;

function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] ?? 0);
  return btoa(bin);
}

function toUrlSafe(b64: string): string {
  return b64
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/={1,2}$/, "");
}

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

/** Every string to search for, longest first, so a longer encoding wins an overlap. */
export function knownVariants(known: readonly string[]): string[] {
  const out = new Set<string>();
  const encoder = new TextEncoder();
  for (const value of known) {
    if (value.length < MIN_KNOWN) continue;
    const bytes = encoder.encode(value);
    const b64 = bytesToBase64(bytes);
    out.add(value);
    out.add(b64);
    out.add(b64.replace(/={1,2}$/, ""));
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
