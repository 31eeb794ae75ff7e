import type { Db } from "./store";

// Commit hooks per open transaction object (SQLite reuses one object, but its transactions never overlap).
const commitHooks = new WeakMap<object, (() => void)[]>();
export const afterCommit = (tx: Db, fn: () => void) => {
  const hooks = commitHooks.get(tx);
  if (hooks) hooks.push(fn);
  else fn();
};
export async function withHooks<T>(
  tx: Db,
  run: () => Promise<T>,
): Promise<{ result: T; hooks: (() => void)[] }> {
  const hooks: (() => void)[] = [];
  commitHooks.set(tx, hooks);
  try {
    return { result: await run(), hooks };
  } finally {
    commitHooks.delete(tx);
  }
}
export const runHooks = (hooks: (() => void)[]) => {
  for (const h of hooks) {
    try {
      h();
    } catch {
      // A listener's failure must not turn a committed write into an error.
    }
  }
};
