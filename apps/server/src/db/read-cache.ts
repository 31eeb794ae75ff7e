/**
 * Rows of the hot prepared reads (token checks, secret reads) on SQLite, reused until a write that
 * may change them commits: every transaction except append-only ones (the audit log) and every raw
 * statement bumps the generation, and `externalVersion` (SQLite `data_version`) catches commits
 * by other processes (the `gatehouse` host tools). That pragma costs as much as the read it saves,
 * so it is taken once per turn of the event loop: another process's commit is seen from the next
 * turn on, as if it had landed a moment later. Rows are frozen: a caller that tries to change a
 * shared row fails loudly.
 */
const MAX_ENTRIES = 10_000;

export class ReadCache {
  private generation = 0;
  private external: number | undefined;

  constructor(private readonly externalVersion: () => number) {}

  private externalNow(): number {
    if (this.external === undefined) {
      this.external = this.externalVersion();
      setImmediate(() => {
        this.external = undefined;
      });
    }
    return this.external;
  }

  invalidate(): void {
    this.generation++;
  }

  wrap<T>(run: (params: Record<string, unknown>) => T): (params: Record<string, unknown>) => T {
    const entries = new Map<string, { generation: number; external: number; rows: T }>();
    return (params) => {
      const key = JSON.stringify(params);
      const external = this.externalNow();
      const hit = entries.get(key);
      if (hit && hit.generation === this.generation && hit.external === external) return hit.rows;
      // Read and store in one synchronous step: no commit can land in between.
      const generation = this.generation;
      const rows = deepFreeze(run(params));
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(key, { generation, external, rows });
      return rows;
    };
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
