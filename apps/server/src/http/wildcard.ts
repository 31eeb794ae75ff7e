import { invalid } from "@gatehouse/core";

// Routes whose `:path` holds slashes take the rest of the URL (`*`) and split a suffix off it.

/** The decoded rest of the URL; bad percent-encoding is the caller's 400. */
export function rest(params: Record<string, string>): string {
  try {
    return decodeURIComponent(params["*"] ?? "");
  } catch {
    throw invalid("path", "malformed URL encoding");
  }
}

/** `s` without `suffix`, or undefined when it does not end with it. */
export const cut = (s: string, suffix: string) =>
  s.endsWith(suffix) ? s.slice(0, -suffix.length) : undefined;
