// Rolling confidence and suggestions. Confidence is the share of successes among the last
// OUTCOME_WINDOW outcomes; a pattern is suggested when pinned or above 0.5 confidence.

export interface Outcome {
  /** Audit identity of the caller. */
  agent: string;
  ok: boolean;
  /** ms since the epoch. */
  at: number;
}

export const OUTCOME_WINDOW = 20;
export const SUGGESTION_LIMIT = 5;

/** Appends an outcome and keeps the last `window`. */
export function pushOutcome(list: readonly Outcome[], o: Outcome, window = OUTCOME_WINDOW): Outcome[] {
  return [...list, o].slice(-window);
}

/** Successes / outcomes in the window (0 when there are none). */
export function confidence(list: readonly Outcome[]): number {
  if (list.length === 0) return 0;
  return list.filter((o) => o.ok).length / list.length;
}

/** Distinct agents with a success in the window. */
export function verifiedBy(list: readonly Outcome[]): number {
  return new Set(list.filter((o) => o.ok).map((o) => o.agent)).size;
}

export interface PatternLike {
  method: string;
  urlTemplate: string;
  pinned: boolean;
  successCount: number;
  recentOutcomes: readonly Outcome[];
  lastUsedAt?: number | null;
}

/** Pinned first, then confidence, then total successes, then the most recently used. */
export function rankPatterns<P extends PatternLike>(patterns: readonly P[]): P[] {
  return [...patterns].sort(
    (a, b) =>
      Number(b.pinned) - Number(a.pinned) ||
      confidence(b.recentOutcomes) - confidence(a.recentOutcomes) ||
      b.successCount - a.successCount ||
      (b.lastUsedAt ?? 0) - (a.lastUsedAt ?? 0),
  );
}

function hostOf(template: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(template);
  return m?.[1]?.toLowerCase() ?? "";
}

function pathSegments(template: string): string[] {
  const rest = template.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "");
  return (rest.split("?")[0] ?? "").split("/").filter(Boolean);
}

/** How close a template is to the failed call: same host, then the number of leading path segments shared. */
function closeness(p: PatternLike, failed: { method: string; template: string }): number {
  let score = hostOf(p.urlTemplate) === hostOf(failed.template) ? 1000 : 0;
  const a = pathSegments(p.urlTemplate);
  const b = pathSegments(failed.template);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  score += i * 10;
  if (p.method === failed.method) score += 1;
  return score;
}

/**
 * Patterns worth showing after a failed call: pinned or confidence > 0.5, not the exact call that just
 * failed, the closest to it first (then by rank), at most `limit`.
 */
export function suggest<P extends PatternLike>(
  patterns: readonly P[],
  failed?: { method: string; template: string },
  limit = SUGGESTION_LIMIT,
): P[] {
  const eligible = patterns.filter(
    (p) =>
      (p.pinned || confidence(p.recentOutcomes) > 0.5) &&
      !(failed && p.method === failed.method && p.urlTemplate === failed.template),
  );
  const ranked = rankPatterns(eligible);
  if (!failed) return ranked.slice(0, limit);
  const order = new Map(ranked.map((p, i) => [p, i]));
  return ranked
    .sort((a, b) => closeness(b, failed) - closeness(a, failed) || (order.get(a) ?? 0) - (order.get(b) ?? 0))
    .slice(0, limit);
}
