import { type ErrorCode, GatehouseError, isGatehouseError } from "@gatehouse/core";
import { Elysia } from "elysia";
import { isStoreUnavailable } from "../db/errors";
import { errorFields, type Logger } from "../log";
import { isApprovalPending } from "../modules/approvals/errors";
import { requestIdOf } from "./request-id";

export const envelope = (
  code: ErrorCode | string,
  message: string,
  requestId: string,
  details?: Record<string, unknown>,
) => ({
  error: message,
  code,
  request_id: requestId,
  ...details,
});

type ValidationIssue = { path?: string; message?: string; summary?: string };

// TypeBox messages name the expectation, not the received value, so they are safe to return.
function validationMessage(error: unknown): { field: string; message: string } {
  const all = (error as { all?: ValidationIssue[] }).all ?? [];
  const first = all[0];
  const field = (first?.path ?? "").replace(/^\//, "").replace(/\//g, ".") || "body";
  return { field, message: `${field}: ${first?.message ?? "invalid value"}` };
}

// PostgreSQL refuses NUL in text (SQLSTATE 22021) and characters its encoding lacks (22P05): that is the
// client's input, not a server fault (found by test/bad-input.test.ts: "%00" in an id answered 500 on
// PostgreSQL while SQLite stored or looked it up). drizzle wraps the driver's error in `cause`.
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);
function isUnstorableText(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 4 && typeof e === "object" && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNSTORABLE_TEXT.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Called once the error's status is known: request logging and metrics. */
export type ErrorAnswered = (request: Request, route: string, status: number) => void;

export const errorPlugin = (log: Logger, answered?: ErrorAnswered) =>
  new Elysia({ name: "http.errors" }).onError({ as: "global" }, ({ code, error, request, set, route }) => {
    const body = errorBody(log, code, error, request, set);
    answered?.(request, route, typeof set.status === "number" ? set.status : 500);
    return body;
  });

type ErrorSet = { status?: number | string; headers: Record<string, string | number> };

function errorBody(log: Logger, code: string | number, error: unknown, request: Request, set: ErrorSet) {
  const requestId = requestIdOf(request);
  set.headers["x-request-id"] = requestId;
  set.headers["cache-control"] = "no-store";
  if (isApprovalPending(error)) {
    set.status = 202;
    return error.body();
  }
  // Elysia wraps whatever a parse hook throws in its ParseError: the strict JSON parser's own refusal
  // (invalid UTF-8, too deep, too large, not an object) is the answer, with its code and status.
  const cause = code === "PARSE" ? (error as { cause?: unknown }).cause : undefined;
  if (isGatehouseError(cause)) error = cause;
  if (isGatehouseError(error)) {
    set.status = error.status;
    if (error.code === "rate_limited" && typeof error.details?.retry_after === "number") {
      set.headers["retry-after"] = String(error.details.retry_after);
    }
    return envelope(error.code, error.message, requestId, error.details);
  }
  switch (code) {
    case "VALIDATION": {
      const v = validationMessage(error);
      set.status = 400;
      return envelope("invalid_request", v.message, requestId, { field: v.field });
    }
    case "PARSE":
      set.status = 400;
      return envelope("invalid_request", "The request body could not be parsed", requestId, {
        field: "body",
      });
    case "NOT_FOUND":
      set.status = 404;
      return envelope("not_found", "No such route", requestId);
    case "INVALID_COOKIE_SIGNATURE":
      set.status = 401;
      return envelope("unauthorized", "Session cookie is invalid", requestId);
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    set.status = status;
    return envelope(
      status === 413 ? "payload_too_large" : "invalid_request",
      "The request was rejected",
      requestId,
    );
  }
  if (isUnstorableText(error)) {
    set.status = 400;
    return envelope(
      "invalid_request",
      "A text value contains a NUL or otherwise unstorable character",
      requestId,
    );
  }
  if (isStoreUnavailable(error)) {
    // Logged for the operator (disk full, database down); the client learns only that it may retry.
    log.error("store unavailable", { request_id: requestId, ...errorFields(error) });
    set.status = 503;
    return envelope(
      "unavailable",
      "The database cannot be reached or written right now; nothing was changed",
      requestId,
    );
  }
  log.error("unhandled error", { request_id: requestId, ...errorFields(error) });
  set.status = 500;
  return envelope("internal", "Internal error; quote the request id when reporting it", requestId);
}

export { GatehouseError };
