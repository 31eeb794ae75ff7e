import { FormError } from "./form-error";

export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <section className="card auth-card" aria-labelledby="load-error-title">
      <h1 id="load-error-title">Gatehouse is not reachable</h1>
      <FormError error={error} />
      <button type="button" className="button button-primary" onClick={onRetry}>
        Try again
      </button>
    </section>
  );
}
