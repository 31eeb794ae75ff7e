// The live channel: one EventSource on /v1/events (same origin, so the session cookie goes with
// it) shared by every subscriber. The server filters events to what this session may see.
import { useEffect, useRef, useSyncExternalStore } from "react";
import { sessionKeys } from "./auth";
import { queryClient } from "./query-client";

export type LiveEvent =
  | { type: "approval" | "lease" | "audit"; data: Record<string, unknown> }
  /** The stream came back after a drop: events may have been missed, so refetch. */
  | { type: "resync" };

export type LiveStatus = "connecting" | "open" | "closed";

const EVENT_TYPES = ["approval", "lease", "audit"] as const;
const CLOSE_DELAY_MS = 1_000;
const REOPEN_DELAY_MS = 5_000;

let source: EventSource | null = null;
let status: LiveStatus = "closed";
let connectedBefore = false;
let closeTimer: ReturnType<typeof setTimeout> | undefined;
let reopenTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(event: LiveEvent) => void>();
const statusListeners = new Set<() => void>();

function setStatus(next: LiveStatus): void {
  if (status === next) return;
  status = next;
  for (const l of statusListeners) l();
}

function emit(event: LiveEvent): void {
  for (const l of listeners) {
    try {
      l(event);
    } catch (error) {
      console.error("live event listener failed", error);
    }
  }
}

function open(): void {
  clearTimeout(reopenTimer);
  const es = new EventSource("/v1/events");
  source = es;
  setStatus("connecting");
  es.addEventListener("ready", () => {
    setStatus("open");
    if (connectedBefore) emit({ type: "resync" });
    connectedBefore = true;
  });
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (message: MessageEvent<string>) => {
      try {
        const data: unknown = JSON.parse(message.data);
        if (typeof data === "object" && data !== null) emit({ type, data: data as Record<string, unknown> });
      } catch {
        // A malformed frame is dropped; the next resync catches up.
      }
    });
  }
  // The server ends the stream when the session does (the session check then sends the route
  // gate to sign-in) or when it shuts down (another replica, or this one restarted, takes over).
  es.addEventListener("end", (message: MessageEvent<string>) => {
    let reason = "";
    try {
      reason = String((JSON.parse(message.data) as { reason?: unknown }).reason ?? "");
    } catch {}
    shut();
    if (reason === "signed_out") void queryClient.invalidateQueries({ queryKey: sessionKeys.current() });
    else if (listeners.size > 0) reopenTimer = setTimeout(open, REOPEN_DELAY_MS);
  });
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) {
      // A non-200 answer (a restart, a 503) stops EventSource's own retries: try again later.
      setStatus("closed");
      source = null;
      if (listeners.size > 0) reopenTimer = setTimeout(open, REOPEN_DELAY_MS);
    } else {
      setStatus("connecting");
    }
  });
}

function shut(): void {
  clearTimeout(reopenTimer);
  source?.close();
  source = null;
  setStatus("closed");
}

/** Listens to live events; the stream opens with the first listener and closes after the last. */
export function subscribeLive(listener: (event: LiveEvent) => void): () => void {
  listeners.add(listener);
  clearTimeout(closeTimer);
  if (!source) open();
  return () => {
    listeners.delete(listener);
    // A short grace period: a page switch unsubscribes and resubscribes within one render.
    if (listeners.size === 0) {
      closeTimer = setTimeout(() => {
        if (listeners.size > 0) return;
        shut();
        connectedBefore = false;
      }, CLOSE_DELAY_MS);
    }
  };
}

/** Calls `handler` for every live event while the component is mounted. */
export function useLiveEvents(handler: (event: LiveEvent) => void, enabled = true): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => (enabled ? subscribeLive((event) => ref.current(event)) : undefined), [enabled]);
}

function subscribeStatus(listener: () => void): () => void {
  statusListeners.add(listener);
  return () => {
    statusListeners.delete(listener);
  };
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeStatus, () => status);
}
