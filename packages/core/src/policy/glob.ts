// Segment-wise glob matching: `*` stays inside one segment, `**` spans whole segments.
// No regexes, so there is nothing to backtrack exponentially; worst case is O(glob × path).

export type Token =
  | { kind: "lit"; value: string }
  | { kind: "part"; parts: string[] } // a segment with `*` inside, split on `*`
  | { kind: "any" } // a segment that is exactly `*`
  | { kind: "globstar" }; // zero or more whole segments

const SEGMENT = /^[a-zA-Z0-9_*-]+$/;
const MAX_GLOB = 512;

/** Why a glob is invalid, or undefined when it is fine. */
export function globError(glob: unknown): string | undefined {
  if (typeof glob !== "string") return "must be a string";
  if (glob === "") return "must not be empty";
  if (glob.length > MAX_GLOB) return `must be at most ${MAX_GLOB} characters`;
  if (glob.startsWith("/") || glob.endsWith("/")) return `"${glob}" must not start or end with "/"`;
  for (const seg of glob.split("/")) {
    if (seg === "") return `"${glob}" has an empty segment ("//")`;
    if (seg.includes("?")) {
      return `"${glob}": "?" is not supported (Gatehouse's "?" matched one character); use "*"`;
    }
    if (seg !== "**" && seg.includes("**")) return `"${glob}": "**" must be a whole segment (got "${seg}")`;
    if (!SEGMENT.test(seg)) {
      const bad = [...seg].find((c) => !SEGMENT.test(c)) ?? seg;
      return `"${glob}": character ${JSON.stringify(bad)} is not allowed (segments use a-z A-Z 0-9 _ - *)`;
    }
  }
  return undefined;
}

/** The leading literal segments (used as trie keys) and the tokens for the rest. Assumes a valid glob. */
export function compileGlob(glob: string): { prefix: string[]; rest: Token[] } {
  const segs = glob.split("/");
  const tokens: Token[] = [];
  segs.forEach((seg, i) => {
    if (seg === "**") {
      // `a/**` means "under a": a trailing `**` after something needs at least one segment.
      if (i === segs.length - 1 && segs.length > 1) tokens.push({ kind: "any" });
      tokens.push({ kind: "globstar" });
    } else if (seg === "*") tokens.push({ kind: "any" });
    else if (seg.includes("*")) tokens.push({ kind: "part", parts: seg.split("*") });
    else tokens.push({ kind: "lit", value: seg });
  });
  const prefix: string[] = [];
  let n = 0;
  for (const t of tokens) {
    if (t.kind !== "lit") break;
    prefix.push(t.value);
    n++;
  }
  return { prefix, rest: tokens.slice(n) };
}

/** Does `s` match a segment pattern split on `*` (so parts.length >= 2)? Greedy leftmost is exact here. */
function matchParts(parts: string[], s: string): boolean {
  const first = parts[0] ?? "";
  const last = parts[parts.length - 1] ?? "";
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  const end = s.length - last.length;
  let pos = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const p = parts[i] ?? "";
    if (p === "") continue;
    const at = s.indexOf(p, pos);
    if (at < 0 || at + p.length > end) return false;
    pos = at + p.length;
  }
  return true;
}

function matchToken(t: Token, seg: string): boolean {
  if (t.kind === "lit") return t.value === seg;
  if (t.kind === "any") return true;
  if (t.kind === "part") return matchParts(t.parts, seg);
  return false;
}

/** Match tokens against segs[start..]. `globstar` is handled like `*` in the classic two-pointer wildcard match. */
export function matchTokens(tokens: readonly Token[], segs: readonly string[], start: number): boolean {
  let ti = 0;
  let si = start;
  let starTi = -1;
  let starSi = 0;
  while (si < segs.length) {
    const t = tokens[ti];
    if (t?.kind === "globstar") {
      starTi = ti++;
      starSi = si;
    } else if (t && matchToken(t, segs[si] ?? "")) {
      ti++;
      si++;
    } else if (starTi >= 0) {
      ti = starTi + 1;
      si = ++starSi;
    } else return false;
  }
  while (tokens[ti]?.kind === "globstar") ti++;
  return ti === tokens.length;
}

/**
 * Split a request path into segments. One leading and one trailing "/" are tolerated; "" is the root.
 * Empty, "." and ".." segments are refused (undefined) so a sloppy path can't slip past a deny rule.
 */
export function splitPath(path: string): string[] | undefined {
  let p = path;
  if (p.startsWith("/")) p = p.slice(1);
  if (p.endsWith("/")) p = p.slice(0, -1);
  if (p === "") return [];
  const segs = p.split("/");
  for (const s of segs) if (s === "" || s === "." || s === "..") return undefined;
  return segs;
}

/** Convenience for one-off checks (tests, legacy diffing, the simulator). */
export function matchGlob(glob: string, path: string): boolean {
  if (globError(glob) !== undefined) return false;
  const segs = splitPath(path);
  if (!segs) return false;
  const { prefix, rest } = compileGlob(glob);
  if (segs.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== segs[i]) return false;
  return matchTokens(rest, segs, prefix.length);
}
