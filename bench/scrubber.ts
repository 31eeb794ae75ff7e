// Scrubber throughput (PRODUCT.md §12: >= 50 MB/s on JSON with all detectors).
// Prints one JSON line per body: {name, mb_per_s, ms, bytes, redactions}.
// Run: bun bench/scrubber.ts

import { createScrubber, DETECTORS } from "../packages/core/src/scrubber/index.ts";
import { benignJsonBody, mixedBody } from "../packages/core/test/corpus/bodies.ts";

const ITERATIONS = Number(process.env.SCRUBBER_BENCH_ITERATIONS ?? 20);
const scrubber = createScrubber();

function measure(name: string, text: string): void {
  const bytes = new TextEncoder().encode(text).length;
  let redactions = scrubber.scrub(text).redactions.length; // warm-up (JIT)
  for (let i = 0; i < 3; i++) scrubber.scrub(text);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    redactions = scrubber.scrub(text).redactions.length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)] ?? 0;
  const mbPerS = bytes / (1024 * 1024) / (ms / 1000);
  console.log(
    JSON.stringify({
      name,
      mb_per_s: Math.round(mbPerS * 10) / 10,
      ms: Math.round(ms * 100) / 100,
      bytes,
      redactions,
      detectors: DETECTORS.length,
      iterations: ITERATIONS,
    }),
  );
}

measure("scrubber_json_1mb", benignJsonBody());
measure("scrubber_mixed", mixedBody().text);
