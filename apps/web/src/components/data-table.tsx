import type { ReactNode } from "react";

interface Props {
  /** Column headings, in order. */
  columns: readonly string[];
  /** Adds a last column for row buttons, its heading only for screen readers. */
  actions?: boolean;
  /** Extra classes after `data-table`. */
  className?: string;
  /** The <tr> rows. */
  children: ReactNode;
}

/** The scrolling wrapper, header row and body every list table shares. */
export function DataTable({ columns, actions, className, children }: Props) {
  return (
    <div className="table-wrap">
      <table className={className ? `data-table ${className}` : "data-table"}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
