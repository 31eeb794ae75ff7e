import type { ReactNode } from "react";
import { Link } from "../../../lib/router";

/** A count that links to its page. `value` is null while loading. */
export function StatCard({
  label,
  value,
  to,
  icon,
  tone,
  hint,
}: {
  label: string;
  value: string | number | null;
  to: string;
  icon: ReactNode;
  tone?: "accent" | "warning";
  hint?: string;
}) {
  return (
    <Link
      to={to}
      className={tone ? `card stat-card is-${tone}` : "card stat-card"}
      aria-label={`${label}: ${value ?? "loading"}`}
    >
      <span className="stat-icon" aria-hidden="true">
        {icon}
      </span>
      <span className="stat-body">
        <span className="stat-label">{label}</span>
        <span className="stat-value">{value ?? "…"}</span>
        {hint ? <span className="stat-hint">{hint}</span> : null}
      </span>
    </Link>
  );
}
