/** "3d 4h", "2h 5m", "42s": coarse, for uptimes and TTLs. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${s % 60}s`;
  return `${s}s`;
}

/** A short local date and time ("21 Nov 2026, 23:40"), or an em dash for missing values. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "in 14m", "3h ago": relative to now, coarse. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return iso;
  const text = formatDuration(Math.abs(ms) / 1000);
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
