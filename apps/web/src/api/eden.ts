// Typed client generated from the server's `App` type (import type only: no server code is
// bundled). Domain files call it through `unwrap`, which throws the same ApiError as apiFetch.
import { treaty } from "@elysiajs/eden";
import type { App } from "@gatehouse/server/app";
import { fetchFailure, getCsrfToken, toApiError } from "./client";

export const api = treaty<App>(window.location.origin, {
  fetch: { credentials: "same-origin" },
  // Keep strings as strings: Eden would turn every date-shaped string (timestamps, but also a
  // metadata value such as "2026-05-01T00:00Z") into a Date, which the response types do not say.
  parseDate: false,
  // onRequest, not a `headers` function: Eden calls the latter with the call's options, which
  // carry no method, so the CSRF header would never be sent.
  onRequest: (_path, init) => {
    const token = getCsrfToken();
    return init.method && init.method !== "GET" && token ? { headers: { "x-csrf-token": token } } : undefined;
  },
});

type EdenResult<T> =
  | { data: T; error: null; response: Response }
  | { data: null; error: { status: unknown; value: unknown }; response: Response };

/** Resolves to the success body, or throws ApiError so React Query sees the failure. */
export async function unwrap<T>(call: Promise<EdenResult<T>>): Promise<T> {
  let result: EdenResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw fetchFailure(cause);
  }
  if (result.error) throw toApiError(result.response, result.error.value);
  return result.data;
}
