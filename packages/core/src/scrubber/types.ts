// Shared shapes of the credential scrubber. Pure data: no I/O, runs in the browser too.
import type { Known } from "./known";

export type Family =
  | "cloud"
  | "vcs"
  | "ci"
  | "registry"
  | "payment"
  | "chat"
  | "ai"
  | "observability"
  | "database"
  | "keys"
  | "saas"
  | "generic";

/** A span a detector wants redacted, in offsets of the scanned text. */
export interface Candidate {
  start: number;
  end: number;
  /** Leading characters of the span left visible for humans (`ghp_…[REDACTED]`). */
  keep: number;
}

/** Per-call scratch space detectors may use to stay linear (e.g. memoised searches). */
export interface ScanState {
  memo: Map<string, number>;
}

export interface Detector {
  /** Stable snake_case name, reported as the redaction `type`. */
  readonly id: string;
  readonly family: Family;
  readonly description: string;
  /** Lower-case literals; the detector only runs where one of them occurs. */
  readonly keywords: readonly string[];
  /** Generic detectors lose to specific ones when their spans overlap. */
  readonly generic?: boolean;
  /**
   * Try to match at a keyword occurrence. `at` is where the keyword starts, `kwLength` its
   * length. Every detector does bounded work here, so a scan stays linear in the input.
   */
  match(text: string, at: number, kwLength: number, state: ScanState): Candidate | null;
}

export interface Finding {
  type: string;
  family: Family | "known";
  /** Offsets into the original text. */
  start: number;
  end: number;
  keep: number;
}

export interface Redaction {
  type: string;
  /** Offset in the ORIGINAL text (not in the scrubbed output). */
  position: number;
  length: number;
}

export interface ScrubResult {
  scrubbed: string;
  redactions: Redaction[];
}

export interface ScrubberOptions {
  /** Detectors to run; defaults to every built-in detector. */
  detectors?: readonly Detector[];
  /** Extra values (exact strings) or patterns (tested against the secret part) never to redact. */
  extraAllowlist?: readonly (string | RegExp)[];
  /** Characters handed to the prefilter per chunk; default 10 MiB (see engine.ts). */
  maxChunkChars?: number;
}

export interface Scrubber {
  scan(text: string, known?: Known): Finding[];
  scrub(text: string, known?: Known): ScrubResult;
  contains(text: string, known?: Known): boolean;
}
