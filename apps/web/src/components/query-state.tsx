import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { FormError } from "./form-error";

/** Loading, error (with request id and a retry) or the data, for a query that fills a card. */
export function QueryState<T>({
  query,
  what,
  children,
}: {
  query: UseQueryResult<T>;
  what: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError) {
    return (
      <div className="stack">
        <FormError error={query.error} />
        <div>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => query.refetch()}
          >
            Retry loading {what}
          </button>
        </div>
      </div>
    );
  }
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}
