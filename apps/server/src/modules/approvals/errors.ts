/**
 * Thrown by any service whose policy decision requires a human: the HTTP layer answers 202 with the
 * request, the MCP layer waits and then reports it pending. Not a failure, so not a GatehouseError.
 */
export class ApprovalPending extends Error {
  constructor(
    readonly requestId: string,
    readonly expiresAt: number,
  ) {
    super("Approval required: a human must approve this request");
    this.name = "ApprovalPending";
  }

  body() {
    return {
      request_id: this.requestId,
      status: "pending" as const,
      expires_at: new Date(this.expiresAt).toISOString(),
      message: "An admin or approver must approve this request. Poll GET /v1/requests/<request_id>?wait=30.",
    };
  }
}

export const isApprovalPending = (e: unknown): e is ApprovalPending =>
  typeof e === "object" && e !== null && (e as { name?: unknown }).name === "ApprovalPending";
