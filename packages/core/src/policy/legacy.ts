// Gatehouse's globs were anchored regexes with `*` -> `.*` (crossing "/") and `?` -> `.`.
// Flag the globs whose meaning changed and suggest globs that keep the old meaning.

import { globError, matchGlob } from "./glob";

export interface GlobChange {
  glob: string;
  message: string;
  /** Globs that together match what the old glob matched (on valid paths); empty if none can. */
  suggestion: string[];
  /** False when the suggestion only approximates the old meaning. */
  exact: boolean;
}

export interface RuleChange extends GlobChange {
  rule: number;
}

const MAX_SUGGESTIONS = 8;

/** Gatehouse's matcher, for verifying examples in messages (short inputs only). */
function oldMatch(glob: string, path: string): boolean {
  const body = [...glob]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`).test(path);
}

/** Old-meaning-preserving replacements for one old segment, given its position. */
function translate(
  seg: string,
  i: number,
  n: number,
  notes: Set<string>,
): { alts: string[]; exact: boolean } {
  let s = seg;
  let exact = true;
  if (s.includes("?")) {
    notes.add(`"?" is no longer supported (it became "*")`);
    s = s.replaceAll("?", "*");
    exact = false;
  }
  if (s !== "**" && s.includes("**")) notes.add(`"**" must be a whole segment`);
  s = s.replace(/\*+/g, "*"); // old `**` was just `.*.*`
  if (!s.includes("*")) return { alts: [s], exact };
  const last = i === n - 1;
  // A bare star spanned one or more segments: `**` at the end, `*/**` elsewhere.
  if (s === "*") return { alts: [last ? "**" : "*/**"], exact };
  let parts = s.split("*");
  if (parts.length > 2) {
    notes.add(`several "*" in one segment can only be approximated`);
    parts = [parts[0] ?? "", parts[parts.length - 1] ?? ""];
    exact = false;
  }
  const [p = "", x = ""] = parts;
  if (x === "") return { alts: last ? [`${p}*`, `${p}*/**`] : [`${p}*/**`], exact };
  if (p === "") return { alts: [`**/*${x}`], exact };
  return { alts: [`${p}*${x}`, `${p}*/**/*${x}`], exact };
}

// `**/**` means the same as `**` except as the whole glob.
const tidy = (g: string) => (g === "**/**" ? g : g.replace(/(^|\/)\*\*(\/\*\*)+(?=\/|$)/g, "$1**"));

function examples(glob: string, notes: Set<string>) {
  if (globError(glob) !== undefined) return;
  const segs = glob.split("/");
  const star = segs.findIndex((s) => s !== "**" && s.includes("*"));
  if (star >= 0) {
    const path = segs.map((s, i) => (i === star ? s.replace("*", "a/b") : s).replaceAll("*", "x")).join("/");
    if (oldMatch(glob, path) && !matchGlob(glob, path)) {
      notes.add(`"*" no longer crosses "/": it matched "${path}" before and does not now`);
    } else notes.add(`"*" no longer crosses "/"`);
  }
  const mid = segs.findIndex((s, i) => s === "**" && i < segs.length - 1);
  if (mid >= 0) {
    const path = segs
      .filter((_, i) => i !== mid)
      .join("/")
      .replaceAll("*", "x");
    if (path && matchGlob(glob, path) && !oldMatch(glob, path)) {
      notes.add(`"**" now also matches zero segments: it matches "${path}" now and did not before`);
    } else notes.add(`"**" now also matches zero segments`);
  }
}

/** How a Gatehouse-era glob's meaning changes under the new semantics, or undefined if it doesn't. */
export function changedFromGatehouseGlob(glob: string): GlobChange | undefined {
  const segs = glob.split("/");
  const notes = new Set<string>();
  let exact = true;
  let combos: string[] = [""];
  segs.forEach((seg, i) => {
    const t = translate(seg, i, segs.length, notes);
    exact &&= t.exact;
    combos = combos.flatMap((c) => t.alts.map((a) => (i === 0 ? a : `${c}/${a}`)));
  });
  if (combos.length > MAX_SUGGESTIONS) {
    combos = combos.slice(0, MAX_SUGGESTIONS);
    exact = false;
  }
  let suggestion = [...new Set(combos.map(tidy))];
  const invalid = suggestion.filter((g) => globError(g) !== undefined);
  if (invalid.length) {
    notes.add(`contains characters or empty segments the new syntax rejects; rewrite it by hand`);
    suggestion = suggestion.filter((g) => !invalid.includes(g));
    exact = false;
  }
  if (notes.size === 0 && suggestion.length === 1 && suggestion[0] === glob) return undefined;
  examples(glob, notes);
  const use = suggestion.length ? ` Use ${suggestion.map((g) => `"${g}"`).join(" + ")}` : "";
  const approx = suggestion.length && !exact ? " (approximately)" : "";
  const message = `"${glob}": ${[...notes].join("; ")}.${use}${approx}${use ? " to keep the old meaning." : ""}`;
  return { glob, message, suggestion, exact };
}

/** Every glob of every rule whose meaning changed from Gatehouse; accepts raw rules so `?` can be flagged too. */
export function flagChangedRules(policy: { rules: readonly { paths: readonly string[] }[] }): RuleChange[] {
  const out: RuleChange[] = [];
  policy.rules.forEach((r, rule) => {
    for (const g of r.paths) {
      const c = changedFromGatehouseGlob(g);
      if (c) out.push({ rule, ...c });
    }
  });
  return out;
}
