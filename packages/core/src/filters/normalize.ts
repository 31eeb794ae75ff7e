// Text normalization for prompt-injection detection. Pure; no I/O.
//
// Attackers hide instructions from keyword filters with look-alike characters, so detection runs on a
// folded copy of the text: NFKC compatibility folding (fullwidth, mathematical alphanumerics,
// ligatures), diacritics stripped, zero-width and bidi controls removed, Unicode tag characters
// decoded back to the ASCII they smuggle, homoglyphs (Cyrillic, Greek, small capitals) folded to
// Latin, lower case, and leetspeak folded. Every character of the folded copy remembers the span of
// the original it came from, so a match can be redacted in the original text.

/** A folded text whose character i came from `original.slice(start[i], end[i])`. */
export interface Mapped {
  text: string;
  start: Int32Array;
  end: Int32Array;
}

// Invisible: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator,
// combining grapheme joiner, Hangul fillers, bidi embeddings, overrides, isolates and marks,
// variation selectors, invisible math operators.
const INVISIBLE_RANGES: readonly [number, number][] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x061c, 0x061c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
];
const INVISIBLE = (cp: number) => INVISIBLE_RANGES.some(([a, b]) => cp >= a && cp <= b);
const VARIATION_SUPPLEMENT = (cp: number) => cp >= 0xe0100 && cp <= 0xe01ef;
// Unicode "tag" characters mirror ASCII 0x20-0x7e and render as nothing: decoded, not dropped.
const TAG_ASCII = (cp: number) => (cp >= 0xe0020 && cp <= 0xe007e ? cp - 0xe0000 : -1);

// Look-alikes NFKC leaves alone, folded to the Latin letter they imitate (lower case).
const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  і: "i",
  ї: "i",
  ј: "j",
  ԁ: "d",
  ԛ: "q",
  ԝ: "w",
  һ: "h",
  ӏ: "l",
  ɡ: "g",
  // Greek
  α: "a",
  β: "b",
  γ: "y",
  ε: "e",
  η: "n",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  ω: "w",
  ϲ: "c",
  // Latin extensions and small capitals
  ı: "i",
  ȷ: "j",
  ɑ: "a",
  ɩ: "i",
  ɪ: "i",
  ʏ: "y",
  ʀ: "r",
  ʜ: "h",
  ɴ: "n",
  ᴀ: "a",
  ᴄ: "c",
  ᴅ: "d",
  ᴇ: "e",
  ᴊ: "j",
  ᴋ: "k",
  ᴍ: "m",
  ᴏ: "o",
  ᴘ: "p",
  ᴛ: "t",
  ᴜ: "u",
  ᴠ: "v",
  ᴡ: "w",
  ᴢ: "z",
  ꜱ: "s",
  ꞯ: "q",
  ſ: "s",
  // Punctuation look-alikes that matter to chat-template tokens and paths
  "｜": "|",
  "∣": "|",
  "│": "|",
  "‹": "<",
  "›": ">",
  "〈": "<",
  "〉": ">",
  "⟨": "<",
  "⟩": ">",
  "‐": "-",
  "‑": "-",
  "–": "-",
  "—": "-",
  "⁄": "/",
  "∕": "/",
  "\u2018": "'",
  "\u2019": "'",
  "\u201c": '"',
  "\u201d": '"',
};

const MARKS = /\p{M}/gu;

function foldCodePoint(ch: string, cp: number): string {
  const tag = TAG_ASCII(cp);
  if (tag >= 0) return String.fromCharCode(tag).toLowerCase();
  if (INVISIBLE(cp) || VARIATION_SUPPLEMENT(cp)) return "";
  if (cp < 0x80) return ch.toLowerCase();
  const direct = HOMOGLYPHS[ch] ?? HOMOGLYPHS[ch.toLowerCase()];
  if (direct !== undefined) return direct;
  // NFKC's compatibility mappings through NFKD, then diacritics dropped (ï → i, ｉ → i, 𝐢 → i).
  const folded = ch.normalize("NFKD").toLowerCase().normalize("NFKD").replace(MARKS, "");
  let out = "";
  for (const c of folded) out += HOMOGLYPHS[c] ?? c;
  return out;
}

class Builder {
  private chars: string[] = [];
  get length() {
    return this.chars.length;
  }
  private s: number[] = [];
  private e: number[] = [];
  push(text: string, start: number, end: number) {
    for (let i = 0; i < text.length; i++) {
      this.chars.push(text[i] as string);
      this.s.push(start);
      this.e.push(end);
    }
  }
  build(): Mapped {
    return { text: this.chars.join(""), start: Int32Array.from(this.s), end: Int32Array.from(this.e) };
  }
}

/** The folded copy of `text` (see the file comment), leetspeak excepted. */
export function foldText(text: string): Mapped {
  const b = new Builder();
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    b.push(foldCodePoint(ch, cp), i, i + ch.length);
    i += ch.length;
  }
  return b.build();
}

const LEET_I: Record<string, string> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
  "!": "i",
  "|": "i",
  "+": "t",
};
const LEET_L: Record<string, string> = { ...LEET_I, "1": "l", "|": "l", "!": "l" };
const LETTER = /[a-z]/;
const TOKEN_CHAR = /[a-z0-9@$!|+]/;

/**
 * Leetspeak folded inside tokens that also hold letters (`y0u`, `@dmin`, `pr3v10us`), so plain
 * numbers and prices stay as they are. `one` picks what 1, ! and | stand for: "i" or "l".
 */
export function foldLeet(m: Mapped, one: "i" | "l"): Mapped {
  const table = one === "i" ? LEET_I : LEET_L;
  const chars = m.text.split("");
  const tokens: { a: number; z: number; letters: number; leet: number }[] = [];
  let i = 0;
  while (i < chars.length) {
    if (!TOKEN_CHAR.test(chars[i] as string)) {
      i++;
      continue;
    }
    let j = i;
    let letters = 0;
    let leet = 0;
    while (j < chars.length && TOKEN_CHAR.test(chars[j] as string)) {
      const c = chars[j] as string;
      if (LETTER.test(c)) letters++;
      else if (table[c] !== undefined) leet++;
      j++;
    }
    tokens.push({ a: i, z: j, letters, leet });
    i = j;
  }
  const folded = tokens.map((t) => t.letters > 0 && t.leet > 0 && t.leet < t.z - t.a);
  // Short all-leet tokens ("4", "70") read as letters beside a folded word: "pr373nd 70 b3 4 d1ff3r3n7".
  const short = (t: { a: number; z: number; letters: number; leet: number }) =>
    t.letters === 0 && t.leet === t.z - t.a && t.z - t.a <= 3;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as (typeof tokens)[number];
    if (folded[k] || !short(t)) continue;
    if (folded[k - 1] || folded[k + 1]) folded[k] = true;
  }
  for (let k = tokens.length - 1; k >= 0; k--) {
    const t = tokens[k] as (typeof tokens)[number];
    if (!folded[k] && short(t) && (folded[k - 1] || folded[k + 1])) folded[k] = true;
  }
  tokens.forEach((t, k) => {
    if (!folded[k]) return;
    for (let q = t.a; q < t.z; q++) chars[q] = table[chars[q] as string] ?? (chars[q] as string);
  });
  return { text: chars.join(""), start: m.start, end: m.end };
}

/**
 * Words only: every run of other characters becomes one space, and letters spelled out one at a
 * time (`i g n o r e`, `i.g.n.o.r.e`) are joined, so phrase rules see the words whatever separates them.
 */
export function wordsView(m: Mapped): Mapped & { runs: [number, number][] } {
  // Tokens of [a-z0-9] with their source spans.
  const tokens: { text: string; start: number; end: number }[] = [];
  const re = /[a-z0-9]+/g;
  for (let match = re.exec(m.text); match; match = re.exec(m.text)) {
    const a = match.index;
    const z = a + match[0].length;
    tokens.push({ text: match[0], start: m.start[a] as number, end: m.end[z - 1] as number });
  }
  const b = new Builder();
  const runs: [number, number][] = [];
  let k = 0;
  let first = true;
  while (k < tokens.length) {
    // A run of three or more single letters is one spelled-out word.
    let r = k;
    while (r < tokens.length && (tokens[r]?.text.length ?? 0) === 1) r++;
    if (!first) {
      const prev = tokens[k - 1] as { end: number };
      const next = tokens[k] as { start: number };
      b.push(" ", prev.end, next.start);
    }
    first = false;
    if (r - k >= 3) {
      const at = b.length;
      for (let q = k; q < r; q++) {
        const t = tokens[q] as { text: string; start: number; end: number };
        b.push(t.text, t.start, t.end);
      }
      runs.push([at, b.length]);
      k = r;
      continue;
    }
    const t = tokens[k] as { text: string; start: number; end: number };
    // Per-character spans inside a token are not kept; the token's span is enough for redaction.
    b.push(t.text, t.start, t.end);
    k++;
  }
  return { ...b.build(), runs };
}

/** The original span a folded match [a, b) came from. */
export function sourceSpan(m: Mapped, a: number, b: number): [number, number] {
  const last = Math.max(a, b - 1);
  return [m.start[a] ?? 0, m.end[last] ?? m.start[a] ?? 0];
}

/** The text an injection rule sees, for tests and the audit of a finding ("what did it read?"). */
export function normalizeForDetection(text: string): string {
  return foldLeet(foldText(text), "i").text;
}
