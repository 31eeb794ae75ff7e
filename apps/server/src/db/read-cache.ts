/**
 * Rows of the hot prepared reads (token checks, secret reads) on SQLite, reused until a write that
 * may change them commits: every transaction except append-only ones (the audit log) and every raw
 * statement bumps the generation, and `externalVersion` (SQLite `data_version`) catches commits
 * by other processes (the `gatehouse` host tools). That pragma costs about what the read it saves
 * does, so it is taken at most once per millisecond: another process's commit is seen at most that
 * much later, as if it had landed a moment later. Rows are frozen: a caller that tries to change a
 * shared row fails loudly.
 */
const MAX_ENTRIES = 10_000;
const EXTERNAL_CHECK_MS = 1;

export class ReadCache {
  private generation = 0;
  private external = 0;
  private externalAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly externalVersion: () => number) {}

  private externalNow(): number {
    const now = performance.now();
    if (now - this.externalAt >= EXTERNAL_CHECK_MS) {
      this.external = this.externalVersion();
      this.externalAt = now;
    }
    return this.external;
  }

  invalidate(): void {
    this.generation++;
  }

  wrap<T>(run: (params: Record<string, unknown>) => T): (params: Record<string, unknown>) => T {
    const entries = new Map<string, { generation: number; external: number; rows: T }>();
    return (params) => {
      const key = keyOf(params);
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

/** Hot reads take one string parameter: that is the key; anything else is keyed by its JSON. */
function keyOf(params: Record<string, unknown>): string {
  let only: unknown;
  let n = 0;
  for (const k in params) {
    only = params[k];
    n++;
  }
  return n === 1 && typeof only === "string" ? only : `\u0000${JSON.stringify(params)}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
