// The registration form edits lists and maps as plain text: one item per line.

export const linesOf = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

/** `KEY=value` (env) or `Name: value` (headers) lines → a map, with the lines that do not parse. */
export function parsePairs(
  text: string,
  separator: "=" | ":",
): { map: Record<string, string>; bad: string[] } {
  const map: Record<string, string> = {};
  const bad: string[] = [];
  for (const line of linesOf(text)) {
    const at = line.indexOf(separator);
    const key = at > 0 ? line.slice(0, at).trim() : "";
    if (!key) {
      bad.push(line);
      continue;
    }
    map[key] = line.slice(at + 1).trim();
  }
  return { map, bad };
}

export function formatPairs(map: Record<string, string> | undefined, separator: "=" | ":"): string {
  const join = separator === "=" ? "=" : ": ";
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}${join}${v}`)
    .join("\n");
}

/** Server names: lower case, digits and single dashes (no "_": `server__tool` splits at "__"). */
export const SERVER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

export function nameError(name: string): string | undefined {
  if (!name) return "Required.";
  if (!SERVER_NAME.test(name) || name.includes("--"))
    return "1–32 lower-case letters, digits and single dashes, starting and ending with a letter or digit.";
  return undefined;
}
