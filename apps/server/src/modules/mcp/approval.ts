import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { RequestRow } from "../approvals/service";

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** With progress notifications the client can keep resetting its timeout, so the whole minute is used. */
export const WAIT_WITH_PROGRESS_MS = 60_000;
/**
 * Without a progress token nothing can tell the client the call is alive, and most clients give up a
 * request after 60 s: wait a little less, then answer pending.
 */
export const WAIT_QUIETLY_MS = 50_000;
/** How often a progress notification is sent while waiting. */
const PROGRESS_EVERY_S = 5;

export const progressTokenOf = (extra: Extra) => extra._meta?.progressToken;

/**
 * Waits for a human to decide request `id`, sending `notifications/progress` when the client gave a
 * progress token. Returns the request as it stands when decided, expired, or when the wait ends.
 */
export async function awaitDecision(
  ctx: AppContext,
  actor: Actor,
  id: string,
  extra: Extra,
  maxWaitS?: number,
): Promise<RequestRow> {
  const token = progressTokenOf(extra);
  const budget =
    maxWaitS !== undefined
      ? Math.min(maxWaitS * 1000, WAIT_WITH_PROGRESS_MS)
      : token !== undefined
        ? WAIT_WITH_PROGRESS_MS
        : WAIT_QUIETLY_MS;
  const deadline = ctx.now() + budget;
  let tick = 0;
  const progress = async (message: string) => {
    if (token === undefined) return;
    tick++;
    // A client that went away must not fail the wait; the request stays pending either way.
    await extra
      .sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress: tick, message },
      })
      .catch(() => {});
  };
  await progress(`Waiting for a human to approve request ${id}`);
  let row = await ctx.approvals.get(actor, id, 0);
  // Graceful shutdown ends the wait: the caller gets {status: "pending", request_id} to poll elsewhere.
  while (
    row.status === "pending" &&
    row.expiresAt > ctx.now() &&
    !extra.signal.aborted &&
    !ctx.lifecycle.stopping
  ) {
    const left = deadline - ctx.now();
    if (left <= 0) break;
    row = await ctx.approvals.get(actor, id, Math.min(PROGRESS_EVERY_S, left / 1000));
    if (row.status === "pending" && deadline > ctx.now()) {
      await progress(`Still waiting for approval of request ${id}`);
    }
  }
  return row;
}
