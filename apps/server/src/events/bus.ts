/**
 * In-process fan-out of live events (approvals, lease changes, audit tail). Each event says who may see
 * it; the SSE route filters per subscriber. With replicas, issue 13 bridges this through LISTEN/NOTIFY.
 */
export type EventType = "approval" | "lease" | "audit";

export interface LiveEvent {
  type: EventType;
  data: Record<string, unknown>;
  /** The identity the event is about: it (and admins) may see it. */
  identity: string;
  /** Approvers (role approver or admin) may also see it. */
  approvers?: boolean;
}

export type Listener = (e: LiveEvent) => void;

export interface EventBus {
  publish(e: LiveEvent): void;
  subscribe(l: Listener): () => void;
  readonly size: number;
}

export function createEventBus(onError: (e: unknown) => void = () => {}): EventBus {
  const listeners = new Set<Listener>();
  return {
    publish(e) {
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          onError(err);
        }
      }
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get size() {
      return listeners.size;
    },
  };
}
