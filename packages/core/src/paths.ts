// Secret paths (PRODUCT.md §1): "[a-zA-Z0-9_-]" segments joined by "/", at most 256 characters.
// Some words are reserved as the final segment so routes like /v1/secrets/:path/value stay
// unambiguous.
import { GatehouseError } from "./errors";

export const MAX_PATH_LENGTH = 256;

export const RESERVED_SEGMENTS: ReadonlySet<string> = new Set([
  "value",
  "versions",
  "rollback",
  "renew",
  "checkout",
  "validate",
  "leases",
  "ca-pubkey",
]);

const SEGMENT_RE = /^[a-zA-Z0-9_-]+$/;

/** Why `path` is not path-shaped, or null. Reserved words are not checked here. */
function shapeProblem(path: string): string | null {
  if (path.length === 0) return "must not be empty";
  if (path.length > MAX_PATH_LENGTH) return `must be at most ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith("/") || path.endsWith("/")) return "must not start or end with '/'";
  for (const segment of path.split("/")) {
    if (segment === "") return "must not contain empty segments";
    // ".." cannot pass the character check; named for a clearer message.
    if (segment === "..") return "must not contain '..'";
    if (!SEGMENT_RE.test(segment)) return "segments may contain only letters, digits, '_' and '-'";
  }
  return null;
}

/** Returns `path` if it is a valid secret path; throws path_invalid or path_reserved otherwise. */
export function validateSecretPath(path: string): string {
  if (typeof path !== "string") {
    throw new GatehouseError("path_invalid", "path: must be a string", { field: "path" });
  }
  const problem = shapeProblem(path);
  if (problem) throw new GatehouseError("path_invalid", `path: ${problem}`, { field: "path" });
  const last = path.slice(path.lastIndexOf("/") + 1);
  if (RESERVED_SEGMENTS.has(last)) {
    throw new GatehouseError("path_reserved", `path: "${last}" is reserved as the last segment`, {
      field: "path",
    });
  }
  return path;
}

export function isValidSecretPath(path: string): boolean {
  try {
    validateSecretPath(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * List prefixes: "" (everything), or path-shaped text optionally ending in "/" ("team/",
 * "team/api"). Reserved words are fine here: "a/value/b" is a valid path under "a/value/".
 */
export function isValidPrefix(prefix: string): boolean {
  if (typeof prefix !== "string") return false;
  if (prefix === "") return true;
  if (prefix.length > MAX_PATH_LENGTH) return false;
  return shapeProblem(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix) === null;
}
