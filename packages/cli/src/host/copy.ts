import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "@gatehouse/server/db/store";
import type { Snapshot } from "@gatehouse/server/ops/snapshot";
import { CliError } from "../io";

const SQLITE_MAGIC = "SQLite format 3\u0000";

export function isSqliteFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 16 && buf.toString("latin1") === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** The vault file of a data directory, or the file itself. */
export function sqliteSource(pathOrDir: string): string {
  const file = existsSync(join(pathOrDir, "gatehouse.db")) ? join(pathOrDir, "gatehouse.db") : pathOrDir;
  if (!existsSync(file)) throw new CliError(`no SQLite vault at ${pathOrDir}`);
  if (!isSqliteFile(file)) throw new CliError(`${file} is not a SQLite database`);
  return file;
}

/** Runs `use` on a store as it opens and closes the store afterwards, also when `use` throws. */
export async function withStore<T>(opening: Promise<Store>, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await opening;
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** All the rows of a per-table count, for the one-line summaries. */
export const totalRows = (tables: Record<string, number>): number =>
  Object.values(tables).reduce((a, b) => a + b, 0);

/**
 * A consistent snapshot of a SQLite vault file (possibly in use): `VACUUM INTO` a private temporary
 * copy, migrated to this version's schema, then read in one transaction.
 */
export async function snapshotSqliteFile(file: string): Promise<Snapshot> {
  const [{ sqliteFileBackup, dumpStore }, { openStore }] = await Promise.all([
    import("@gatehouse/server/ops/snapshot"),
    import("@gatehouse/server/db/store"),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-copy-"));
  chmodSync(dir, 0o700);
  const copy = join(dir, "gatehouse.db");
  try {
    sqliteFileBackup(file, copy);
    return await withStore(openStore({ sqlitePath: copy }), (store) => dumpStore(store));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes a snapshot into an opened target store; errors become CliErrors. */
export async function loadInto(
  store: Store,
  snap: Snapshot,
  replace: boolean,
): Promise<Record<string, number>> {
  const { loadSnapshot } = await import("@gatehouse/server/ops/snapshot");
  try {
    return await loadSnapshot(store, snap, { replace });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** Replaces a SQLite vault file with a backup copy (the server must be stopped). */
export function replaceSqliteFile(backup: string, target: string): void {
  const staging = `${target}.restoring`;
  rmSync(staging, { force: true });
  copyFileSync(backup, staging);
  chmodSync(staging, 0o600);
  for (const suffix of ["-wal", "-shm"]) rmSync(`${target}${suffix}`, { force: true });
  renameSync(staging, target);
}
