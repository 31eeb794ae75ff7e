import { randomUUID } from "node:crypto";
import type { Store } from "../db/store";
import type { Logger } from "../log";
import type { EventBus, LiveEvent } from "./bus";

const CHANNEL = "gatehouse_events";
// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a big event travels without its details.
const MAX_PAYLOAD = 7000;

/** Connects this replica's bus to the others through LISTEN/NOTIFY (a no-op on SQLite). */
export async function bridgeEvents(store: Store, bus: EventBus, log: Logger): Promise<() => Promise<void>> {
  if (store.dialect !== "pg") return async () => {};
  const origin = randomUUID();
  const unlisten = await store.listen(CHANNEL, (payload) => {
    try {
      const msg = JSON.parse(payload) as { origin: string; event: LiveEvent };
      if (msg.origin !== origin) bus.deliver(msg.event);
    } catch (e) {
      log.warn("bad event payload from another replica", { error_message: String(e) });
    }
  });
  bus.setRemote((event) => {
    let payload = JSON.stringify({ origin, event });
    if (payload.length > MAX_PAYLOAD) {
      const { metadata: _dropped, ...rest } = event.data;
      payload = JSON.stringify({ origin, event: { ...event, data: { ...rest, truncated: true } } });
    }
    if (payload.length > MAX_PAYLOAD) return;
    store
      .notify(CHANNEL, payload)
      .catch((e: unknown) => log.warn("event notify failed", { error_message: String(e) }));
  });
  return unlisten;
}
