import type { Io } from "./io";

export function printJson(io: Io, data: unknown): void {
  io.stdout(`${JSON.stringify(data, null, 2)}\n`);
}

/** A plain text table: a header row, then one row per item; empty lists print `empty` to stderr. */
export function printTable(
  io: Io,
  headers: string[],
  rows: (string | number | boolean | null | undefined)[][],
  empty = "(none)",
) {
  if (rows.length === 0) {
    io.stderr(empty);
    return;
  }
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c)))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  io.stdout(`${cells.map(line).join("\n")}\n`);
}

export const ago = (iso: string | null | undefined): string => {
  if (!iso) return "-";
  return iso.replace(/\.\d{3}Z$/, "Z");
};
