import type { ReactNode } from "react";

interface Props {
  items: readonly string[];
  /** Shown instead of an empty row of chips. */
  empty?: ReactNode;
}

/** Plain text values (policies, globs, header names) as a row of chips. */
export function ChipList({ items, empty }: Props) {
  if (items.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <span className="chips">
      {items.map((item) => (
        <span key={item} className="chip">
          {item}
        </span>
      ))}
    </span>
  );
}
