import { type ErrorCode, GatehouseError, isGatehouseError } from "@gatehouse/core";
import { Elysia } from "elysia";
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

export const errorPlugin = (log: Logger) =>
  new Elysia({ name: "http.errors" }).onError({ as: "global" }, ({ code, error, request, set }) => {
    const requestId = requestIdOf(request);
    set.headers["x-request-id"] = requestId;
    set.headers["cache-control"] = "no-store";
    if (isApprovalPending(error)) {
      set.status = 202;
      return error.body();
    }
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
    log.error("unhandled error", { request_id: requestId, ...errorFields(error) });
    set.status = 500;
    return envelope("internal", "Internal error; quote the request id when reporting it", requestId);
  });

export { GatehouseError };
