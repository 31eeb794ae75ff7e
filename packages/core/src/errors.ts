// The closed set of error codes every layer throws and the HTTP status each maps to.
// Add a code here (and nowhere else) when a new failure mode needs its own stable name.
export const ERROR_STATUS = {
  invalid_request: 400,
  path_invalid: 400,
  path_reserved: 400,
  policy_invalid: 400,
  ttl_out_of_range: 400,
  unauthorized: 401,
  totp_required: 401,
  forbidden: 403,
  csrf_failed: 403,
  ip_not_allowed: 403,
  suspended: 403,
  proxy_domains_unset: 403,
  domain_not_allowed: 403,
  path_not_allowed: 403,
  ssrf_blocked: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  read_only: 409,
  key_mismatch: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  content_blocked: 422,
  rate_limited: 429,
  internal: 500,
  upstream_failed: 502,
  audit_unavailable: 503,
  unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra, non-secret fields merged into the error body (e.g. `field`, `retry_after`). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "GatehouseError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = details;
  }
}

export const isGatehouseError = (e: unknown): e is GatehouseError =>
  typeof e === "object" && e !== null && (e as { name?: unknown }).name === "GatehouseError" && "code" in e;

export const invalid = (field: string, message: string) =>
  new GatehouseError("invalid_request", `${field}: ${message}`, { field });
