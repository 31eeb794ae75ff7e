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
      const msg = JSON.parse(payload) as { origin: string; events?: LiveEvent[]; event?: LiveEvent };
      if (msg.origin === origin) return;
      for (const e of msg.events ?? (msg.event ? [msg.event] : [])) bus.deliver(e);
    } catch (e) {
      log.warn("bad event payload from another replica", { error_message: String(e) });
    }
  });
  // Events published in one turn of the event loop travel together, in order, in as few NOTIFYs as
  // fit: one per event was a database round trip per audit entry.
  const head = `{"origin":${JSON.stringify(origin)},"events":[`;
  let pending: string[] = [];
  // One after the other: NOTIFYs sent at once on pooled connections can arrive out of order.
  let sending: Promise<void> = Promise.resolve();
  const send = (batch: string[]) => {
    const payload = `${head}${batch.join(",")}]}`;
    sending = sending
      .then(() => store.notify(CHANNEL, payload))
      .catch((e: unknown) => log.warn("event notify failed", { error_message: String(e) }));
  };
  const flush = () => {
    const events = pending;
    pending = [];
    let batch: string[] = [];
    let size = head.length + 2;
    for (const e of events) {
      if (batch.length > 0 && size + e.length + 1 > MAX_PAYLOAD) {
        send(batch);
        batch = [];
        size = head.length + 2;
      }
      batch.push(e);
      size += e.length + 1;
    }
    if (batch.length > 0) send(batch);
  };
  bus.setRemote((event) => {
    const room = MAX_PAYLOAD - head.length - 2;
    let text = JSON.stringify(event);
    if (text.length > room) {
      const { metadata: _dropped, ...rest } = event.data;
      text = JSON.stringify({ ...event, data: { ...rest, truncated: true } });
    }
    if (text.length > room) return;
    pending.push(text);
    if (pending.length === 1) setImmediate(flush);
  });
  return unlisten;
}
