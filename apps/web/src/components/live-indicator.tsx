import { useLiveStatus } from "../api/events";

const LABELS = { open: "Live", connecting: "Connecting…", closed: "Offline" } as const;

/** Whether the page is receiving live updates (Server-Sent Events). */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span
      className={`live-indicator live-${status}`}
      role="status"
      title={status === "open" ? "Updates arrive as they happen" : "Live updates are not connected"}
    >
      <span className="live-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
