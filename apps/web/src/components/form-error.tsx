import { isApiError } from "../api/client";

/** An error shown next to the form that caused it, with the request id for support. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : "Something went wrong.";
  const requestId = isApiError(error) ? error.requestId : null;
  return (
    <div className="form-error" role="alert">
      <p>{message}</p>
      {requestId ? (
        <p className="request-id">
          Request ID <code>{requestId}</code>
        </p>
      ) : null}
    </div>
  );
}
