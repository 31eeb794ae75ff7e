import { describe, expect, test } from "bun:test";
import { openStore } from "../src/db/store";
import { bridgeEvents } from "../src/events/bridge";
import { createEventBus, type LiveEvent } from "../src/events/bus";
import { createLogger } from "../src/log";
import { pgBaseUrl } from "./harness/app";
import { cloneDatabase } from "./harness/postgres";

const log = createLogger("error", () => {});

async function until(check: () => boolean) {
  for (let i = 0; i < 400 && !check(); i++) await Bun.sleep(50);
}

describe("event bridge (LISTEN/NOTIFY)", () => {
  test("an event published on one replica reaches the other's listeners as remote, not its own twice", async () => {
    const url = await cloneDatabase(await pgBaseUrl());
    const [s1, s2] = [
      await openStore({ databaseUrl: url, poolSize: 2 }),
      await openStore({ databaseUrl: url, poolSize: 2 }),
    ];
    const [b1, b2] = [createEventBus(), createEventBus()];
    await bridgeEvents(s1, b1, log);
    await bridgeEvents(s2, b2, log);
    const got1: [LiveEvent, string][] = [];
    const got2: [LiveEvent, string][] = [];
    b1.subscribe((e, o) => got1.push([e, o]));
    b2.subscribe((e, o) => got2.push([e, o]));
    b1.publish({ type: "approval", identity: "approle:x", data: { request_id: "apr-1" } });
    // A big payload travels without its metadata instead of failing NOTIFY's 8000-byte limit.
    b1.publish({ type: "audit", identity: "u", data: { seq: 7, metadata: { blob: "x".repeat(20000) } } });
    await until(() => got2.length >= 2);
    // NOTIFYs travel on pooled connections, so two events may arrive in either order.
    expect(got2.map(([e, o]) => `${e.type}:${o}`).sort()).toEqual(["approval:remote", "audit:remote"]);
    expect(got2.find(([e]) => e.type === "audit")?.[0].data).toEqual({ seq: 7, truncated: true });
    await Bun.sleep(100);
    expect(got1.map(([, o]) => o)).toEqual(["local", "local"]);
    await s1.close();
    await s2.close();
  });

  test("events of one turn travel together, in order, in as few NOTIFYs as fit the size limit", async () => {
    const url = await cloneDatabase(await pgBaseUrl());
    const [s1, s2] = [
      await openStore({ databaseUrl: url, poolSize: 2 }),
      await openStore({ databaseUrl: url, poolSize: 2 }),
    ];
    let notifies = 0;
    const notify = s1.notify.bind(s1);
    s1.notify = (channel, payload) => {
      notifies++;
      expect(payload.length).toBeLessThan(8000);
      return notify(channel, payload);
    };
    const [b1, b2] = [createEventBus(), createEventBus()];
    await bridgeEvents(s1, b1, log);
    await bridgeEvents(s2, b2, log);
    const got: number[] = [];
    b2.subscribe((e) => got.push(e.data.seq as number));
    for (let i = 0; i < 200; i++)
      b1.publish({ type: "audit", identity: "u", data: { seq: i, pad: "p".repeat(100) } });
    await until(() => got.length >= 200);
    expect(got).toEqual([...Array(200).keys()]);
    // About 25 KB of events: a handful of payloads under 8000 bytes, not 200 round trips.
    expect(notifies).toBeGreaterThanOrEqual(4);
    expect(notifies).toBeLessThan(10);
    await s1.close();
    await s2.close();
  });

  test("on SQLite the bridge is a no-op", async () => {
    const s = await openStore({ sqlitePath: ":memory:" });
    const bus = createEventBus();
    const unlisten = await bridgeEvents(s, bus, log);
    const got: string[] = [];
    bus.subscribe((_e, o) => got.push(o));
    bus.publish({ type: "lease", identity: "x", data: {} });
    expect(got).toEqual(["local"]);
    await unlisten();
    await s.close();
  });
});
