/**
 * The server's run state for readiness and graceful shutdown. Long-lived responses (SSE streams, long
 * polls, MCP approval waits) register here and are ended cleanly when shutdown begins, so the HTTP
 * server can stop without cutting a client off mid-message.
 */
export interface Lifecycle {
  /** False once shutdown began: readiness answers 503 so load balancers stop sending traffic. */
  readonly ready: boolean;
  readonly stopping: boolean;
  /** Called once when shutdown begins (at once if it already has); returns the unsubscribe. */
  onShutdown(fn: () => void): () => void;
  /** Marks the server not ready and ends every registered long-lived response. Idempotent. */
  beginShutdown(): void;
  /** Live SSE streams, for the metrics gauge. */
  readonly streams: number;
  /** Counts an SSE stream while it is open; call the returned function when it ends. */
  trackStream(): () => void;
}

export function createLifecycle(onError: (e: unknown) => void = () => {}): Lifecycle {
  let stopping = false;
  let streams = 0;
  const hooks = new Set<() => void>();
  const run = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      onError(e);
    }
  };
  return {
    get ready() {
      return !stopping;
    },
    get stopping() {
      return stopping;
    },
    get streams() {
      return streams;
    },
    onShutdown(fn) {
      if (stopping) {
        run(fn);
        return () => {};
      }
      hooks.add(fn);
      return () => hooks.delete(fn);
    },
    beginShutdown() {
      if (stopping) return;
      stopping = true;
      const all = [...hooks];
      hooks.clear();
      for (const fn of all) run(fn);
    },
    trackStream() {
      streams++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        streams--;
      };
    },
  };
}
