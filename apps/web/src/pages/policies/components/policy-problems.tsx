import type { PolicyListing } from "../../../api/policies";

/** Name conflicts between files and the database, and files that failed to parse. */
export function PolicyProblems({ listing }: { listing: PolicyListing }) {
  const { conflicts, file_errors } = listing;
  if (conflicts.length === 0 && file_errors.length === 0) return null;
  return (
    <section className="card" aria-labelledby="policy-problems-title">
      <h2 className="card-title" id="policy-problems-title">
        Problems
      </h2>
      <div className="stack">
        {conflicts.map((c) => (
          <div key={c.name} className="callout callout-danger">
            <strong>Name conflict: {c.name}.</strong> {c.message}
          </div>
        ))}
        {file_errors.map((f) => (
          <div key={f.file} className="callout callout-danger">
            <strong>
              <code>{f.file}</code> was not loaded.
            </strong>
            <ul className="validation-errors">
              {f.errors.map((e) => (
                <li key={`${e.path}:${e.message}`}>
                  {e.path ? <code>{e.path}</code> : null} {e.message}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </section>
  );
}
