// Store failures that are the database's state, not a bug in the request or the code: the disk is
// full or read-only, the file cannot be written, a trigger or a REVOKE refuses the write, or the
// PostgreSQL connection is gone (restart, failover, terminated backend). The HTTP layer answers these
// with 503 `unavailable` (nothing was changed: the change and its audit entry share the transaction)
// instead of 500 `internal` (found by test/faults.test.ts). drizzle wraps the driver's error in `cause`.

// bun:sqlite error codes (extended codes start with the primary one, e.g. SQLITE_IOERR_WRITE).
const SQLITE =
  /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|CORRUPT|NOTADB|PROTOCOL|CONSTRAINT_TRIGGER)/;
// PostgreSQL SQLSTATEs: 08 connection exception, 53 insufficient resources (53100 disk full), 57P0x
// shutdown / cannot connect now, 58 system error, 25006 read-only transaction (a standby), 42501
// insufficient privilege (a REVOKE), P0001 raised by a trigger, 55000 database not accepting connections.
const PG = /^(08|53|57P0|58|25006$|42501$|P0001$|55000$|55006$)/;
// postgres.js client-side codes and socket errors.
const CLIENT = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** True when `error` (or a cause it wraps) says the store cannot be reached or written right now. */
export function isStoreUnavailable(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 4 && typeof e === "object" && e !== null; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (SQLITE.test(code) || PG.test(code) || CLIENT.has(code))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
