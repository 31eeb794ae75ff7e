import { GatehouseError } from "@gatehouse/core";
import { resolveClientIp } from "@gatehouse/core/net";
import { Elysia } from "elysia";
import type { Actor, Caller } from "../auth/actor";
import { resolveActor, SESSION_COOKIE } from "../auth/resolve";
import type { AppContext } from "../context";
import { requestIdOf } from "./request-id";

/** How the socket peer is found: the Bun server in production; tests pass their own peer. */
export type PeerResolver = (
  request: Request,
  server: { requestIP(r: Request): { address: string } | null } | null,
) => string | undefined;

export const defaultPeer: PeerResolver = (request, server) => server?.requestIP(request)?.address;

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// The same few peers send request after request: without X-Forwarded-For, the client address
// depends only on the socket address and the trusted list, so it is remembered (bounded).
const PEER_MEMO_LIMIT = 1024;
const peerMemo = new WeakMap<object, Map<string, string>>();
function clientIp(socketIp: string, xForwardedFor: string | null, trusted: AppContext["trustedProxies"]) {
  if (xForwardedFor !== null) return resolveClientIp({ socketIp, xForwardedFor, trusted });
  let memo = peerMemo.get(trusted);
  if (!memo) {
    memo = new Map();
    peerMemo.set(trusted, memo);
  }
  let ip = memo.get(socketIp);
  if (ip === undefined) {
    ip = resolveClientIp({ socketIp, xForwardedFor: null, trusted });
    if (memo.size >= PEER_MEMO_LIMIT) memo.clear();
    memo.set(socketIp, ip);
  }
  return ip;
}

export function callerOf(
  ctx: AppContext,
  peer: PeerResolver,
  request: Request,
  server: Parameters<PeerResolver>[1],
): Caller {
  const socketIp = peer(request, server) ?? "unknown";
  const ip = clientIp(socketIp, request.headers.get("x-forwarded-for"), ctx.trustedProxies);
  return {
    ip,
    requestId: requestIdOf(request),
    userAgent: request.headers.get("user-agent")?.slice(0, 200) ?? undefined,
  };
}

export async function actorOf(ctx: AppContext, caller: Caller, request: Request): Promise<Actor | null> {
  const authz = request.headers.get("authorization");
  const bearer = authz?.toLowerCase().startsWith("bearer ") ? authz.slice(7).trim() : undefined;
  if (authz && !bearer) throw new GatehouseError("unauthorized", "Authorization must be a Bearer token");
  return resolveActor(
    ctx,
    {
      bearer,
      sessionCookie: bearer ? undefined : readCookie(request, SESSION_COOKIE),
      csrfHeader: request.headers.get("x-csrf-token") ?? undefined,
      unsafeMethod: UNSAFE.has(request.method),
    },
    caller,
  );
}

/**
 * `{ caller: true }` gives a handler the resolved client (IP per the trusted-proxy walk, request id);
 * `{ auth: true }` also requires credentials and gives the Actor.
 */
export const authPlugin = (ctx: AppContext, peer: PeerResolver = defaultPeer) =>
  new Elysia({ name: "http.auth" }).macro({
    caller: {
      resolve: ({ request, server }) => ({ caller: callerOf(ctx, peer, request, server) }),
    },
    auth: {
      async resolve({ request, server }) {
        const caller = callerOf(ctx, peer, request, server);
        const actor = await actorOf(ctx, caller, request);
        if (!actor) throw new GatehouseError("unauthorized", "Authentication required");
        return { caller, actor };
      },
    },
  });
