// The scan loop. Cost model: one Aho-Corasick pass over the input, then, at each keyword
// occurrence, the detectors owning that keyword try one sticky, bounded regex. Nothing is
// ever retried from every offset, so a scan is linear in the input size.
//
// Bounded input: the keyword pass walks the text in chunks of `maxChunkChars` (default
// 10 MiB); a chunk also looks `longest keyword - 1` characters past its end, and detectors read
// the whole string from their start offset (at most 64 KiB for a PEM block), so a credential that
// straddles a chunk boundary is still found whole. Memory per chunk is bounded by its hits.

import { DOC_EXAMPLES } from "./allowlist";
import { findKnown, type Known, variantsOf } from "./known";
import { buildPrefilter } from "./prefilter";
import { type RankedFinding, render, resolve } from "./redact";
import type { Detector, Finding, ScanState, Scrubber, ScrubberOptions, ScrubResult } from "./types";

export const DEFAULT_MAX_CHUNK_CHARS = 10 * 1024 * 1024;

export function createEngine(detectors: readonly Detector[], options: ScrubberOptions = {}): Scrubber {
  const seen = new Set<string>();
  const keywordIndex = new Map<string, number>();
  const owners: number[][] = [];
  detectors.forEach((d, di) => {
    if (seen.has(d.id)) throw new Error(`duplicate scrubber detector id: ${d.id}`);
    seen.add(d.id);
    for (const kw of d.keywords) {
      let k = keywordIndex.get(kw);
      if (k === undefined) {
        k = keywordIndex.size;
        keywordIndex.set(kw, k);
        owners.push([]);
      }
      owners[k]?.push(di);
    }
  });
  const keywords = [...keywordIndex.keys()];
  const kwLength = keywords.map((k) => k.length);
  const prefilter = buildPrefilter(keywords);
  const chunk = Math.max(1024, options.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS);
  const allowExact = new Set<string>();
  const allowPatterns: RegExp[] = [];
  for (const a of options.extraAllowlist ?? []) {
    if (typeof a === "string") allowExact.add(a);
    else allowPatterns.push(a);
  }

  function allowed(secret: string): boolean {
    if (allowExact.has(secret) || DOC_EXAMPLES.has(secret)) return true;
    for (const p of allowPatterns) {
      p.lastIndex = 0;
      if (p.test(secret)) return true;
    }
    return false;
  }

  function collect(text: string, known: Known | undefined): RankedFinding[] {
    const found: RankedFinding[] = [];
    const state: ScanState = { memo: new Map() };
    // A detector's keyword occurring inside that detector's previous match needs no new attempt.
    const lastEnd = new Int32Array(detectors.length);
    for (let from = 0; from < text.length; from += chunk) {
      const hits = prefilter.find(text, from, Math.min(text.length, from + chunk));
      for (let h = 0; h < hits.count; h++) {
        const kw = hits.keyword[h] ?? 0;
        const at = hits.start[h] ?? 0;
        for (const di of owners[kw] ?? []) {
          if (at < (lastEnd[di] ?? 0)) continue;
          const d = detectors[di];
          if (!d) continue;
          const c = d.match(text, at, kwLength[kw] ?? 0, state);
          if (!c || c.end <= c.start) continue;
          lastEnd[di] = c.end;
          if (allowed(text.slice(c.start + c.keep, c.end)) || allowed(text.slice(c.start, c.end))) continue;
          found.push({
            type: d.id,
            family: d.family,
            start: c.start,
            end: c.end,
            keep: c.keep,
            rank: d.generic ? 2 : 1,
          });
        }
      }
    }
    const variants = known ? variantsOf(known) : [];
    if (variants.length > 0) {
      for (const [start, end] of findKnown(text, variants)) {
        found.push({ type: "known_value", family: "known", start, end, keep: 0, rank: 0 });
      }
    }
    return found;
  }

  function scan(text: string, known?: Known): Finding[] {
    return resolve(collect(text, known));
  }

  return {
    scan,
    scrub(text: string, known?: Known): ScrubResult {
      return render(text, scan(text, known));
    },
    contains(text: string, known?: Known): boolean {
      return collect(text, known).length > 0;
    },
  };
}
