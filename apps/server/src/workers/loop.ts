import type { Logger } from "../log";
import { errorFields } from "../log";

export interface Worker {
  /** Runs one pass now (or joins the pass already running). */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a running pass, for graceful shutdown. */
  stop(): Promise<void>;
}

/** A periodic job that never overlaps itself and logs instead of crashing the process. */
export function startLoop(name: string, job: () => Promise<number>, intervalMs: number, log: Logger): Worker {
  let running: Promise<number> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const runOnce = () => {
    running ??= job().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = async () => {
    try {
      const n = await runOnce();
      if (n > 0) log.info(`${name} done`, { count: n });
    } catch (e) {
      log.error(`${name} failed`, errorFields(e));
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
