// Credential scrubber: detects 200+ credential formats and known secret values in text and
// redacts them, reporting offsets into the ORIGINAL text. Pure TypeScript, no I/O.
//
//   createScrubber().scrub(text, known) -> { scrubbed, redactions: [{ type, position, length }] }
//   maps to POST /v1/scrub; contains() maps to POST /v1/scrub/check ({ contains_credentials }).

import { DETECTORS } from "./detectors/index";
import { createEngine } from "./engine";
import type { Known } from "./known";
import type { Scrubber, ScrubberOptions, ScrubResult } from "./types";

export { DOC_EXAMPLES } from "./allowlist";
export { DETECTORS } from "./detectors/index";
export { DEFAULT_MAX_CHUNK_CHARS } from "./engine";
export { type Known, KnownValues } from "./known";
export { REDACTED } from "./redact";
export type {
  Candidate,
  Detector,
  Family,
  Finding,
  Redaction,
  ScanState,
  Scrubber,
  ScrubberOptions,
  ScrubResult,
} from "./types";

export function createScrubber(options: ScrubberOptions = {}): Scrubber {
  return createEngine(options.detectors ?? DETECTORS, options);
}

let defaultScrubber: Scrubber | undefined;

/** Scrub with every built-in detector; `known` values are redacted wherever they appear. */
export function scrub(text: string, known?: Known): ScrubResult {
  defaultScrubber ??= createScrubber();
  return defaultScrubber.scrub(text, known);
}
