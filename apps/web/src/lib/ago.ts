import { formatRelative } from "./format";

/** "just now" for the last few seconds (and for clocks a little ahead), else "3m 2s ago". */
export function formatAgo(iso: string, now: number): string {
  const ms = now - new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  return ms < 5_000 ? "just now" : formatRelative(iso, now);
}
