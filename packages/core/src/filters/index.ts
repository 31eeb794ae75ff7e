// Content filters for the MCP gateway: credentials (the scrubber, plus values the caller knows are
// secret), personal data and prompt injection, each in mode block | redact | audit (or off).
// Pure TypeScript, no I/O: the server decides where they apply (tool arguments, results, relayed
// requests) and audits the actions these functions report, never the matched text.
//
//   filterText(text, settings, { known })  -> { value, blocked, actions }
//   filterValue(json, settings, { known }) -> the same over every string (and object key) of a value

import { createScrubber, type Scrubber } from "../scrubber/index";
import { detectInjection, INJECTION_CATEGORIES, type InjectionCategory, redactionSpan } from "./injection";
import { detectPii, PII_TYPES, type PiiType } from "./pii";

export type { InjectionCategory, InjectionFinding } from "./injection";
export { detectInjection, hasInjection, INJECTION_CATEGORIES, redactionSpan } from "./injection";
export type { Mapped } from "./normalize";
export { foldLeet, foldText, normalizeForDetection, wordsView } from "./normalize";
export type { PiiFinding, PiiType } from "./pii";
export { cardScheme, detectPii, IBAN_LENGTHS, ibanValid, ipv6Valid, luhn, PII_TYPES, ssnValid } from "./pii";

export type FilterMode = "block" | "redact" | "audit" | "off";
export type FilterKind = "secrets" | "pii" | "injection";

export const FILTER_MODES: readonly FilterMode[] = ["block", "redact", "audit", "off"];
export const FILTER_KINDS: readonly FilterKind[] = ["secrets", "pii", "injection"];

export interface SecretsFilter {
  mode: FilterMode;
}
export interface PiiFilter {
  mode: FilterMode;
  /** Which detectors run (all when absent). */
  types?: PiiType[];
}
export interface InjectionFilter {
  mode: FilterMode;
  /** Which families count (all when absent). */
  types?: InjectionCategory[];
}

export interface FilterSettings {
  secrets: SecretsFilter;
  pii: PiiFilter;
  injection: InjectionFilter;
}

/** Per-server overrides: a filter given here replaces the global one whole; absent ones inherit. */
export type FilterOverrides = Partial<FilterSettings>;

export const DEFAULT_FILTERS: FilterSettings = Object.freeze({
  secrets: { mode: "redact" },
  pii: { mode: "audit" },
  injection: { mode: "redact" },
}) as FilterSettings;

export function mergeFilters(global: FilterSettings, overrides: FilterOverrides = {}): FilterSettings {
  return {
    secrets: overrides.secrets ?? global.secrets,
    pii: overrides.pii ?? global.pii,
    injection: overrides.injection ?? global.injection,
  };
}

export type FilterVerdict = "block" | "redact" | "audit";

/** What a filter did, counted per type; never the matched text. */
export interface FilterAction {
  filter: FilterKind;
  /** Scrubber detector id (or `known_value`), PII type or injection family. */
  type: string;
  action: FilterVerdict;
  count: number;
}

export interface FilterResult<T> {
  value: T;
  /** A filter in block mode matched: the caller must not pass the value on. */
  blocked: boolean;
  actions: FilterAction[];
}

export interface FilterOptions {
  /** Exact values that must never pass (injected secrets): always redacted, whatever the modes. */
  known?: readonly string[];
  scrubber?: Scrubber;
}

export const PII_MARK = (type: string) => `[REDACTED:${type}]`;
export const INJECTION_MARK = "[REDACTED:prompt_injection]";
const SECRET_MARK = "[REDACTED]";

let defaultScrubber: Scrubber | undefined;

interface Span {
  start: number;
  end: number;
  replacement: string;
}

function splice(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) last.end = s.end;
      continue;
    }
    merged.push({ ...s });
  }
  let out = "";
  let at = 0;
  for (const s of merged) {
    out += text.slice(at, s.start) + s.replacement;
    at = s.end;
  }
  return out + text.slice(at);
}

class Tally {
  private counts = new Map<string, FilterAction>();
  blocked = false;
  add(filter: FilterKind, type: string, action: FilterVerdict) {
    if (action === "block") this.blocked = true;
    const key = `${filter}\u0000${type}\u0000${action}`;
    const hit = this.counts.get(key);
    if (hit) hit.count++;
    else this.counts.set(key, { filter, type, action, count: 1 });
  }
  actions(): FilterAction[] {
    return [...this.counts.values()];
  }
}

const verdict = (mode: FilterMode): FilterVerdict | null => (mode === "off" ? null : mode);

function filterString(
  text: string,
  settings: FilterSettings,
  scrubber: Scrubber,
  known: readonly string[],
  tally: Tally,
  binary = false,
): string {
  let current = text;
  // Credentials: the scrubber's detectors (per the mode) and the known values (always redacted).
  const secretVerdict = verdict(settings.secrets.mode);
  if (secretVerdict || known.length > 0) {
    const spans: Span[] = [];
    for (const f of scrubber.scan(current, known)) {
      const isKnown = f.family === "known";
      if (isKnown) {
        tally.add("secrets", "known_value", "redact");
        spans.push({ start: f.start, end: f.end, replacement: SECRET_MARK });
        continue;
      }
      if (!secretVerdict || binary) continue;
      tally.add("secrets", f.type, secretVerdict);
      if (secretVerdict === "redact") {
        const keep = current.slice(f.start, f.start + f.keep);
        spans.push({
          start: f.start,
          end: f.end,
          replacement: keep ? `${keep}…${SECRET_MARK}` : SECRET_MARK,
        });
      }
    }
    current = splice(current, spans);
  }
  if (binary) return current;
  const piiVerdict = verdict(settings.pii.mode);
  if (piiVerdict) {
    const spans: Span[] = [];
    for (const f of detectPii(current, settings.pii.types ?? PII_TYPES)) {
      tally.add("pii", f.type, piiVerdict);
      if (piiVerdict === "redact") spans.push({ start: f.start, end: f.end, replacement: PII_MARK(f.type) });
    }
    current = splice(current, spans);
  }
  const injectionVerdict = verdict(settings.injection.mode);
  if (injectionVerdict) {
    const wanted = new Set(settings.injection.types ?? INJECTION_CATEGORIES);
    const spans: Span[] = [];
    const counted = new Set<string>();
    for (const f of detectInjection(current)) {
      if (!wanted.has(f.category)) continue;
      const [start, end] = redactionSpan(current, f);
      // One action per family and sentence, however many rules agree on it.
      const key = `${f.category}:${start}`;
      if (!counted.has(key)) {
        counted.add(key);
        tally.add("injection", f.category, injectionVerdict);
      }
      if (injectionVerdict === "redact") spans.push({ start, end, replacement: INJECTION_MARK });
    }
    current = splice(current, spans);
  }
  return current;
}

/** Filters one text. */
export function filterText(
  text: string,
  settings: FilterSettings,
  opts: FilterOptions = {},
): FilterResult<string> {
  defaultScrubber ??= createScrubber();
  const tally = new Tally();
  const value = filterString(text, settings, opts.scrubber ?? defaultScrubber, opts.known ?? [], tally);
  return { value, blocked: tally.blocked, actions: tally.actions() };
}

const MAX_DEPTH = 64;
// Long integers may be card numbers, SSNs or SINs written as JSON numbers.
const LONG_INTEGER = 100_000_000;

/**
 * Filters every string of a JSON value, object keys included (Gatekit skipped keys). Base64 payloads
 * (`data` / `blob` beside a `mimeType`, as in MCP image, audio and resource contents) are checked for
 * known values only. Nesting deeper than 64 levels is blocked rather than skipped.
 */
export function filterValue<T>(
  value: T,
  settings: FilterSettings,
  opts: FilterOptions = {},
): FilterResult<T> {
  defaultScrubber ??= createScrubber();
  const scrubber = opts.scrubber ?? defaultScrubber;
  const known = opts.known ?? [];
  const tally = new Tally();
  let tooDeep = false;
  const walk = (v: unknown, depth: number, binary: boolean): unknown => {
    if (depth > MAX_DEPTH) {
      tooDeep = true;
      return null;
    }
    if (typeof v === "string") return filterString(v, settings, scrubber, known, tally, binary);
    if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) >= LONG_INTEGER) {
      const s = String(v);
      const out = filterString(s, settings, scrubber, known, tally);
      return out === s ? v : out;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1, false));
    if (v && typeof v === "object") {
      const obj = v as Record<string, unknown>;
      const hasMime = typeof obj.mimeType === "string";
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(obj)) {
        const key = filterString(k, settings, scrubber, known, tally);
        out[key] = walk(x, depth + 1, hasMime && (k === "data" || k === "blob"));
      }
      return out;
    }
    return v;
  };
  const filtered = walk(value, 0, false) as T;
  if (tooDeep) tally.blocked = true;
  return { value: filtered, blocked: tally.blocked, actions: tally.actions() };
}

/** Adds up actions from several passes (arguments, results, relayed requests). */
export function sumActions(...lists: FilterAction[][]): FilterAction[] {
  const t = new Map<string, FilterAction>();
  for (const list of lists) {
    for (const a of list) {
      const key = `${a.filter}\u0000${a.type}\u0000${a.action}`;
      const hit = t.get(key);
      if (hit) hit.count += a.count;
      else t.set(key, { ...a });
    }
  }
  return [...t.values()];
}
