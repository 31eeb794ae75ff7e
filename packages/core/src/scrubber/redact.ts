// Overlap resolution and rendering. Overlapping spans are merged into their union (so no part
// of a secret survives because two detectors disagreed on its edges); the union is reported
// under the most trustworthy type: a known value, then a specific format, then a generic one.

import type { Family, Finding, ScrubResult } from "./types";

export interface RankedFinding extends Finding {
  /** 0 known value, 1 specific detector, 2 generic detector. */
  rank: number;
}

function better(a: RankedFinding, b: RankedFinding): RankedFinding {
  if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
  return b.end - b.start > a.end - a.start ? b : a;
}

export function resolve(found: RankedFinding[]): Finding[] {
  if (found.length === 0) return [];
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  let first = found[0] as RankedFinding;
  let rep = first;
  let end = first.end;
  const flush = () => {
    const keep = rep.start === first.start ? Math.min(rep.keep, end - first.start) : 0;
    const family: Family | "known" = rep.family;
    out.push({ type: rep.type, family, start: first.start, end, keep });
  };
  for (let i = 1; i < found.length; i++) {
    const f = found[i] as RankedFinding;
    if (f.start < end) {
      rep = better(rep, f);
      if (f.end > end) end = f.end;
    } else {
      flush();
      first = f;
      rep = f;
      end = f.end;
    }
  }
  flush();
  return out;
}

export const REDACTED = "[REDACTED]";

export function render(text: string, findings: readonly Finding[]): ScrubResult {
  if (findings.length === 0) return { scrubbed: text, redactions: [] };
  const parts: string[] = [];
  let last = 0;
  for (const f of findings) {
    parts.push(text.slice(last, f.start));
    parts.push(f.keep > 0 ? `${text.slice(f.start, f.start + f.keep)}…${REDACTED}` : REDACTED);
    last = f.end;
  }
  parts.push(text.slice(last));
  return {
    scrubbed: parts.join(""),
    redactions: findings.map((f) => ({ type: f.type, position: f.start, length: f.end - f.start })),
  };
}
