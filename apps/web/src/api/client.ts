// The one way the SPA talks to the server: same-origin cookie session, CSRF header on writes,
// and every failure turned into an ApiError built from the server's error envelope.

export interface ErrorEnvelope {
  error: string;
  code: string;
  request_id: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;

  constructor(init: { status: number; code: string; message: string; requestId: string | null }) {
    super(init.message);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

// Kept in memory only: never localStorage, so a script that reads storage cannot replay writes.
let csrfToken: string | null = null;

export const setCsrfToken = (token: string | null): void => {
  csrfToken = token;
};

export const getCsrfToken = (): string | null => csrfToken;

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ApiFetchOptions {
  signal?: AbortSignal;
  /** For bodies that are not plain JSON semantics, e.g. `application/merge-patch+json`. */
  contentType?: string;
}

export async function apiFetch<T>(
  method: HttpMethod,
  path: string,
  body?: unknown,
  options: ApiFetchOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (cause) {
    throw fetchFailure(cause);
  }

  const payload = await readBody(response);
  if (!response.ok) throw toApiError(response, payload);
  return payload as T;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isEnvelope(payload: unknown): payload is ErrorEnvelope {
  return (
    typeof payload === "object" &&
    payload !== null &&
    typeof (payload as { error?: unknown }).error === "string" &&
    typeof (payload as { code?: unknown }).code === "string"
  );
}

/** What a fetch that never got an answer throws: an abort as itself, anything else as a network ApiError. */
export function fetchFailure(cause: unknown): unknown {
  if (cause instanceof DOMException && cause.name === "AbortError") return cause;
  return new ApiError({
    status: 0,
    code: "network_error",
    message: "Could not reach the Gatehouse server.",
    requestId: null,
  });
}

/** Builds the ApiError for a failed response whose body was already read. */
export function toApiError(response: Response, payload: unknown): ApiError {
  const headerId = response.headers.get("x-request-id");
  if (isEnvelope(payload)) {
    return new ApiError({
      status: response.status,
      code: payload.code,
      message: payload.error,
      requestId: payload.request_id ?? headerId,
    });
  }
  // A proxy in front of Gatehouse (or a crash) can answer without the envelope.
  return new ApiError({
    status: response.status,
    code: `http_${response.status}`,
    message: `The server answered ${response.status} ${response.statusText}`.trim(),
    requestId: headerId,
  });
}
