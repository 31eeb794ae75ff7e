import { Elysia } from "elysia";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { type LiveEvent, PUBLIC_EVENT_TYPES } from "../../events/bus";
import { actorOf, type authPlugin, callerOf, type PeerResolver } from "../../http/auth";

const HEARTBEAT_MS = 20_000;

/** Server-Sent Events: approvals, lease changes and the audit tail, each filtered to what the subscriber may see. */
export const eventsModule = (ctx: AppContext, auth: ReturnType<typeof authPlugin>, peer?: PeerResolver) =>
  new Elysia({ name: "module.events" }).use(auth).get(
    "/v1/events",
    ({ actor, request, server }) => {
      const admin = ctx.policies.isGlobalAdmin(actor);
      const approver = ctx.approvals.canDecide(actor);
      const visible = (e: LiveEvent) =>
        PUBLIC_EVENT_TYPES.has(e.type) &&
        (admin ||
          e.identity === actor.identity ||
          (e.approvers === true && approver && e.type === "approval"));
      const encoder = new TextEncoder();
      let cleanup = () => {};
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          const send = (chunk: string) => {
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              cleanup();
            }
          };
          send(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ identity: actor.identity })}\n\n`);
          const unsubscribe = ctx.events.subscribe((e) => {
            if (visible(e)) send(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
          });
          // Each stream has its own heartbeat, which also re-checks the credentials (disabled users drop off).
          const end = (reason: string) => {
            send(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
            cleanup();
            try {
              controller.close();
            } catch {}
          };
          const timer = setInterval(async () => {
            const still = await recheck(ctx, request, server, peer, actor);
            if (!still) return end("signed_out");
            send(`event: heartbeat\ndata: {}\n\n`);
          }, HEARTBEAT_MS);
          const untrack = ctx.lifecycle.trackStream();
          let offShutdown = () => {};
          cleanup = () => {
            clearInterval(timer);
            unsubscribe();
            offShutdown();
            untrack();
          };
          // Graceful shutdown: a final event, then a clean close (the client reconnects elsewhere).
          offShutdown = ctx.lifecycle.onShutdown(() => end("shutdown"));
          request.signal.addEventListener("abort", () => cleanup());
        },
        cancel() {
          cleanup();
        },
      });
      return new Response(stream, {
        headers: {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        },
      });
    },
    { auth: true, detail: { tags: ["events"], summary: "Live events (SSE): approval, lease, audit" } },
  );

async function recheck(
  ctx: AppContext,
  request: Request,
  server: Parameters<PeerResolver>[1],
  peer: PeerResolver | undefined,
  was: Actor,
) {
  try {
    const caller = callerOf(ctx, peer ?? ((r, s) => s?.requestIP(r)?.address), request, server);
    const now = await actorOf(ctx, { ...caller, ip: was.ip }, request);
    return now?.identity === was.identity;
  } catch {
    return false;
  }
}
