// Acceptance 1: recall and false-positive rate on the labelled corpus, plus one positive and one
// negative test per format.

import { describe, expect, test } from "bun:test";
import { createScrubber, DETECTORS, type Finding } from "../src/scrubber/index";
import { benignSamples } from "./corpus/benign";
import { buildCorpus, FORMATS } from "./corpus/formats";
import { REALISTIC_NEGATIVES, REALISTIC_POSITIVES } from "./corpus/realistic";

const scrubber = createScrubber();
const { positives, negatives } = buildCorpus();
const benign = benignSamples();

function covers(findings: readonly Finding[], start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (!findings.some((f) => f.start <= i && i < f.end)) return false;
  }
  return true;
}

describe("corpus", () => {
  test("every detector has corpus cases and every case names a detector", () => {
    const cased = new Set(FORMATS.map((f) => f.id));
    const ids = new Set(DETECTORS.map((d) => d.id));
    expect(DETECTORS.filter((d) => !cased.has(d.id)).map((d) => d.id)).toEqual([]);
    expect(FORMATS.filter((f) => !ids.has(f.id)).map((f) => f.id)).toEqual([]);
  });

  test("recall >= 95% and false positives <= 1%", () => {
    const labelled = [
      ...positives,
      ...REALISTIC_POSITIVES.map((p) => ({
        text: p.text,
        start: p.text.indexOf(p.secret),
        end: p.text.indexOf(p.secret) + p.secret.length,
      })),
    ];
    const missed = labelled.filter((p) => !covers(scrubber.scan(p.text), p.start, p.end));
    const negativeTexts = [
      ...negatives.map((n) => n.text),
      ...benign.map((b) => b.text),
      ...REALISTIC_NEGATIVES,
    ];
    const flagged = negativeTexts.filter((t) => scrubber.contains(t));
    const recall = 1 - missed.length / labelled.length;
    const fpRate = flagged.length / negativeTexts.length;
    console.log(
      `scrubber corpus: formats=${FORMATS.length} positives=${labelled.length} recall=${(recall * 100).toFixed(2)}% ` +
        `negatives=${negativeTexts.length} (near misses ${negatives.length}, benign ${benign.length + REALISTIC_NEGATIVES.length}) ` +
        `false_positive_rate=${(fpRate * 100).toFixed(2)}%`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(fpRate).toBeLessThanOrEqual(0.01);
  });

  test("each positive context is represented at least twice per format", () => {
    for (const f of FORMATS) {
      const contexts = new Set(positives.filter((p) => p.id === f.id).map((p) => p.ctx));
      expect(contexts.size).toBeGreaterThanOrEqual(2);
    }
  });

  for (const p of REALISTIC_POSITIVES) {
    test(`realistic positive: ${JSON.stringify(p.text.slice(0, 60))}`, () => {
      expect(scrubber.scrub(p.text).scrubbed).not.toContain(p.secret);
    });
  }

  for (const n of REALISTIC_NEGATIVES) {
    test(`realistic negative: ${JSON.stringify(n.slice(0, 60))}`, () => {
      expect(scrubber.scan(n)).toEqual([]);
    });
  }

  for (const b of benign) {
    test(`benign ${b.label} is left alone`, () => {
      expect(scrubber.scan(b.text)).toEqual([]);
    });
  }
});

describe("formats", () => {
  for (const f of FORMATS) {
    test(`${f.id}: positives are redacted with their type`, () => {
      for (const p of positives.filter((x) => x.id === f.id)) {
        const found = scrubber.scan(p.text);
        const typed = found.some((x) => x.type === f.id && x.start <= p.start && p.end <= x.end);
        expect({ ctx: p.ctx, text: p.text, typed }).toEqual({ ctx: p.ctx, text: p.text, typed: true });
      }
    });
    test(`${f.id}: near misses are not redacted`, () => {
      const mine = negatives.filter((x) => x.id === f.id);
      expect(mine.length).toBeGreaterThan(0);
      for (const n of mine)
        expect({ text: n.text, found: scrubber.scan(n.text) }).toEqual({ text: n.text, found: [] });
    });
  }
});
