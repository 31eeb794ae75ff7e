import { useNow } from "../lib/clock";
import { formatDateTime, formatDuration } from "../lib/format";

/** Time left until `to`, ticking each second; "expired" once it has passed. */
export function Countdown({ to, expiredLabel = "expired" }: { to: string; expiredLabel?: string }) {
  const now = useNow();
  const left = Math.ceil((new Date(to).getTime() - now) / 1000);
  const urgent = left > 0 && left <= 60;
  return (
    <time
      dateTime={to}
      title={formatDateTime(to)}
      className={left <= 0 ? "countdown is-expired" : urgent ? "countdown is-urgent" : "countdown"}
    >
      {left > 0 ? formatDuration(left) : expiredLabel}
    </time>
  );
}
