// Builders for the two common detector shapes. Every regex is sticky (tried at one offset
// only) and uses bounded repetitions, so each attempt costs at most the pattern's length.

import { DOC_EXAMPLES, isPlaceholder, isRepeated } from "./allowlist";
import { shannonEntropy } from "./entropy";
import type { Candidate, Detector, Family, ScanState } from "./types";

const BACKSLASH = 92;

function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * A token may start here: the previous character is not part of a word, or it is the letter of
 * a `\n` / `\r` / `\t` escape (tokens inside JSON strings often follow one).
 */
export function startsToken(text: string, at: number): boolean {
  if (at === 0) return true;
  const c = text.charCodeAt(at - 1);
  if (!isWordCode(c)) return true;
  return (c === 110 || c === 114 || c === 116) && at >= 2 && text.charCodeAt(at - 2) === BACKSLASH;
}

const FAKE_BODY =
  /EXAMPLE|[Ee]xample|PLACEHOLDER|[Pp]laceholder|REDACTED|[Rr]edacted|[Yy]our[_-]|YOUR[_-]|x{8}|X{8}|\*{3}|…|0123456789|123456789|abcdefghij|ABCDEFGHIJ/;

/** Prefixed tokens whose body is obviously fake (`ghp_xxxx…`, `sk_live_EXAMPLE…`). */
export function looksFake(body: string, minEntropy: number): boolean {
  if (isRepeated(body) || FAKE_BODY.test(body)) return true;
  return body.length >= 12 && shannonEntropy(body) < minEntropy;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

export interface PrefixedSpec {
  id: string;
  family: Family;
  description: string;
  /** Documented literal prefixes (case-sensitive in the token, case-folded as keywords). */
  prefixes: readonly string[];
  /** Regex source of what follows the prefix; bounded repetitions only. */
  body: string;
  /** Character class that must not follow the token (it would make it longer than documented). */
  tail?: string;
  /** Characters kept visible; defaults to the matched prefix. */
  keep?: number;
  /** Minimum Shannon entropy of the body (bits/char) below which it is a placeholder. */
  minEntropy?: number;
  /** Extra structural check on the whole token. */
  validate?: (token: string) => boolean;
  /** Keywords that occur inside the token instead of at its start, with a way back to the start. */
  anchor?: { keywords: readonly string[]; start: (text: string, at: number) => number };
  /** Skip the start-of-token check (prefixes that carry their own delimiter, like `://`). */
  noLeadingBoundary?: boolean;
}

/** A token recognisable by its own documented prefix, alphabet and length. */
export function prefixed(spec: PrefixedSpec): Detector {
  const alts = [...spec.prefixes].sort((a, b) => b.length - a.length);
  const tail = spec.tail ?? "[A-Za-z0-9]";
  const re = new RegExp(`(?:${alts.map(escapeRegex).join("|")})(?:${spec.body})(?!${tail})`, "y");
  const minEntropy = spec.minEntropy ?? 2.2;
  const keywords = spec.anchor ? spec.anchor.keywords : spec.prefixes.map((p) => p.toLowerCase());
  const anchor = spec.anchor;
  return {
    id: spec.id,
    family: spec.family,
    description: spec.description,
    keywords: [...new Set(keywords)],
    match(text, at) {
      const start = anchor ? anchor.start(text, at) : at;
      if (start < 0) return null;
      if (!spec.noLeadingBoundary && !startsToken(text, start)) return null;
      re.lastIndex = start;
      const m = re.exec(text);
      if (!m) return null;
      const token = m[0];
      const prefix = alts.find((p) => token.startsWith(p)) ?? "";
      if (looksFake(token.slice(prefix.length), minEntropy)) return null;
      if (DOC_EXAMPLES.has(token)) return null;
      if (spec.validate && !spec.validate(token)) return null;
      const keep = Math.min(spec.keep ?? prefix.length, Math.max(0, token.length - 8));
      return { start, end: start + token.length, keep };
    },
  };
}

// Identifier remainder after the keyword (`heroku` + `_api_key`), an optional closing quote
// (plain or JSON-escaped), an assignment operator and an optional opening quote.
export const NAME_TAIL = "[A-Za-z0-9_.-]{0,30}";
export const ASSIGN =
  "(?:\\\\?[\"'`])?\\]?[ \\t]{0,4}(?:=>|:=|\\?=|::|=|:|>)[ \\t]{0,4}(?:\\\\?[\"'`]|[ \\t=]){0,3}";

export interface AssignedSpec {
  id: string;
  family: Family;
  description: string;
  /** Lower-case vendor words that must name the value (`heroku`, `datadog`). */
  names: readonly string[];
  /** Regex source of the value; bounded repetitions only. */
  value: string;
  tail?: string;
  minEntropy?: number;
  validate?: (value: string) => boolean;
}

/**
 * A value with no distinctive prefix, recognised because a vendor's name labels it
 * (`HEROKU_API_KEY=…`, `"datadog_api_key": "…"`). Only the value is redacted.
 */
export function assigned(spec: AssignedSpec): Detector {
  const tail = spec.tail ?? "[A-Za-z0-9_-]";
  const re = new RegExp(`${NAME_TAIL}${ASSIGN}(${spec.value})(?!${tail})`, "y");
  const minEntropy = spec.minEntropy ?? 2.5;
  return {
    id: spec.id,
    family: spec.family,
    description: spec.description,
    keywords: spec.names,
    match(text, at, kwLength) {
      re.lastIndex = at + kwLength;
      const m = re.exec(text);
      const value = m?.[1];
      if (!m || value === undefined) return null;
      if (isPlaceholder(value) || looksFake(value, minEntropy)) return null;
      if (spec.validate && !spec.validate(value)) return null;
      const end = m.index + m[0].length;
      return { start: end - value.length, end, keep: 0 };
    },
  };
}

export type MatchFn = (text: string, at: number, kwLength: number, state: ScanState) => Candidate | null;

export function custom(
  spec: { id: string; family: Family; description: string; keywords: readonly string[]; generic?: boolean },
  match: MatchFn,
): Detector {
  return { ...spec, match };
}
