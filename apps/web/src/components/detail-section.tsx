import type { ReactNode } from "react";

interface Props {
  /** The heading's id, which also labels the section. */
  id: string;
  title: ReactNode;
  /** Controls or a note at the right of the heading. */
  aside?: ReactNode;
  children: ReactNode;
}

/** A titled part of a detail card (dynamic-secret configuration, MCP server). */
export function DetailSection({ id, title, aside, children }: Props) {
  return (
    <section className="dynamic-subsection" aria-labelledby={id}>
      <div className="card-header">
        <h3 id={id} className="section-title">
          {title}
        </h3>
        {aside}
      </div>
      {children}
    </section>
  );
}
