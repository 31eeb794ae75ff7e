/**
 * Fan-out of live events. `publish` delivers to this process's listeners and, through `remote`, to the
 * other replicas (PostgreSQL LISTEN/NOTIFY, see bridge.ts), which `deliver` them to theirs.
 */
export type EventType = "approval" | "lease" | "audit" | "policy_reload" | "keyring";

/** The types subscribers of /v1/events may see; the rest are internal coordination between replicas. */
export const PUBLIC_EVENT_TYPES: ReadonlySet<EventType> = new Set(["approval", "lease", "audit"]);

export interface LiveEvent {
  type: EventType;
  data: Record<string, unknown>;
  /** The identity the event is about: it (and admins) may see it. */
  identity: string;
  /** Approvers (role approver or admin) may also see it. */
  approvers?: boolean;
}

export type Listener = (e: LiveEvent, origin: "local" | "remote") => void;

export interface EventBus {
  publish(e: LiveEvent): void;
  /** An event another replica published. */
  deliver(e: LiveEvent): void;
  subscribe(l: Listener): () => void;
  setRemote(send: (e: LiveEvent) => void): void;
  readonly size: number;
}

export function createEventBus(onError: (e: unknown) => void = () => {}): EventBus {
  const listeners = new Set<Listener>();
  let remote: ((e: LiveEvent) => void) | undefined;
  const fanOut = (e: LiveEvent, origin: "local" | "remote") => {
    for (const l of listeners) {
      try {
        l(e, origin);
      } catch (err) {
        onError(err);
      }
    }
  };
  return {
    publish(e) {
      fanOut(e, "local");
      remote?.(e);
    },
    deliver: (e) => fanOut(e, "remote"),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    setRemote(send) {
      remote = send;
    },
    get size() {
      return listeners.size;
    },
  };
}
