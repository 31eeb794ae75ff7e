// Pattern learning for proxy calls (PRODUCT.md §5): how an agent successfully used a secret, kept as a
// normalized URL template, the request/response JSON shapes (keys and types, never values) and a rolling
// record of recent outcomes. Pure TypeScript, no I/O: the server stores what these functions compute.

export {
  type NormalizedUrl,
  normalizePathSegment,
  normalizeUrl,
} from "./normalize";
export {
  type JsonSchema,
  jsonSchema,
  MAX_SCHEMA_KEYS,
  mergeSchema,
} from "./schema";
export {
  confidence,
  OUTCOME_WINDOW,
  type Outcome,
  type PatternLike,
  pushOutcome,
  rankPatterns,
  SUGGESTION_LIMIT,
  suggest,
  verifiedBy,
} from "./score";
