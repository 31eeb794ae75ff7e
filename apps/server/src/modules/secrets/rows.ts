import { GatehouseError } from "@gatehouse/core";
import { validateSecretPath } from "@gatehouse/core/paths";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { Db, Store } from "../../db/store";
import { auditBy } from "./access";
import type { Metadata } from "./metadata";

export type SecretRow = AppContext["store"]["t"]["secrets"]["$inferSelect"];
export type VersionRow = AppContext["store"]["t"]["secretVersions"]["$inferSelect"];

export const iso = (ms: number) => new Date(ms).toISOString();

/** The seal context binds a ciphertext to its path and version: copied to another row it fails to open. */
export const sealContext = (path: string, version: number) => `secret:${path}:${version}`;

export const openValue = (ctx: AppContext, path: string, version: number, sealed: string) =>
  ctx.keys.open("secret", sealContext(path, version), sealed);

/** Opens a value for a caller; a value that fails to open (tampered, moved, wrong key) is audited. */
export async function openFor(
  ctx: AppContext,
  actor: Actor,
  action: string,
  path: string,
  version: number,
  sealed: string,
): Promise<string> {
  try {
    return openValue(ctx, path, version, sealed);
  } catch (e) {
    await ctx.audit.append({
      ...auditBy(actor),
      action,
      path,
      success: false,
      outcome: "error",
      metadata: { version, reason: e instanceof Error ? e.message : "cannot open" },
    });
    throw e;
  }
}

const VERSION_SUFFIX = /(^|\/)versions\/\d+$/;

/** A path core accepts that this API can also address: `a/versions/3` would read as version 3 of `a`. */
export function checkPath(path: string): string {
  validateSecretPath(path);
  if (VERSION_SUFFIX.test(path)) {
    throw new GatehouseError("path_reserved", `path: "versions/<n>" is reserved as the end of a path`, {
      field: "path",
    });
  }
  return path;
}

export const notFound = (path: string) => new GatehouseError("not_found", `No secret at "${path}"`);

/** The row for `path`, deleted or not. */
const byPath = new WeakMap<Store, (p: Record<string, unknown>) => Promise<SecretRow[]>>();

export async function findRow(ctx: AppContext, db: Db, path: string): Promise<SecretRow | undefined> {
  const { secrets } = ctx.store.t;
  if (db !== ctx.store.db) return (await db.select().from(secrets).where(eq(secrets.path, path)).limit(1))[0];
  // The hot read path: prepared once per store.
  let q = byPath.get(ctx.store);
  if (!q) {
    q = ctx.store.prepare("gh_secret_by_path", (d) =>
      d
        .select()
        .from(secrets)
        .where(eq(secrets.path, sql.placeholder("path")))
        .limit(1),
    );
    byPath.set(ctx.store, q);
  }
  return (await q({ path }))[0];
}

export async function findLive(ctx: AppContext, path: string): Promise<SecretRow> {
  const row = await findRow(ctx, ctx.store.db, path);
  if (!row || row.deletedAt !== null) throw notFound(path);
  return row;
}

/** Exact prefix match on both engines (LIKE would treat `_` as a wildcard and ignore case on SQLite). */
export function listLive(ctx: AppContext, prefix: string) {
  const { secrets } = ctx.store.t;
  const live = isNull(secrets.deletedAt);
  const where = prefix
    ? and(live, sql`substr(${secrets.path}, 1, ${sql.raw(String(prefix.length))}) = ${prefix}`)
    : live;
  return ctx.store.db.select().from(secrets).where(where);
}

// Up to this many paths are read one by one through the prepared (on SQLite cached) read.
const ONE_BY_ONE = 16;

/** The rows for `paths`, in order (undefined where none exists, deleted ones included). */
export async function rowsFor(ctx: AppContext, paths: string[]): Promise<(SecretRow | undefined)[]> {
  const { secrets } = ctx.store.t;
  if (paths.length === 0) return [];
  if (paths.length <= ONE_BY_ONE) return Promise.all(paths.map((p) => findRow(ctx, ctx.store.db, p)));
  const found = await ctx.store.db.select().from(secrets).where(inArray(secrets.path, paths));
  const byPath = new Map(found.map((r) => [r.path, r]));
  return paths.map((p) => byPath.get(p));
}

export const liveOnly = (r: SecretRow | undefined) => (r && r.deletedAt === null ? r : undefined);

export interface Draft {
  path: string;
  value: string;
  metadata: Metadata;
  action: string;
  audit?: Record<string, unknown>;
}

export interface Committed {
  row: SecretRow;
  created: boolean;
}

/** The row changed between the read and the transaction: seal again and retry. */
class Stale extends Error {}

// Each round one of the racing writers wins; a short random pause spreads the others out.
const MAX_ATTEMPTS = 10;

/**
 * Writes a new version of each path in one transaction (all or nothing). `plan` sees the current
 * rows (undefined when new or deleted) and returns one draft per path; values are sealed for the
 * next version before the transaction opens, and a row that moved meanwhile makes the whole batch retry.
 */
export async function commitVersions(
  ctx: AppContext,
  actor: Actor,
  paths: string[],
  plan: (live: (SecretRow | undefined)[]) => Promise<Draft[]>,
  after?: (tx: Db, committed: Committed[]) => Promise<void>,
): Promise<Committed[]> {
  const { secrets, secretVersions } = ctx.store.t;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const prior = await rowsFor(ctx, paths);
    const drafts = await plan(prior.map(liveOnly));
    const sealed = drafts.map((d, i) => {
      const version = (prior[i]?.version ?? 0) + 1;
      return { version, value: ctx.keys.seal("secret", sealContext(d.path, version), d.value) };
    });
    try {
      return await ctx.store.tx(async (tx) => {
        const now = ctx.now();
        const out: Committed[] = [];
        for (const [i, d] of drafts.entries()) {
          const before = prior[i];
          const s = sealed[i] as (typeof sealed)[number];
          const live = before !== undefined && before.deletedAt === null;
          const next: SecretRow = {
            path: d.path,
            version: s.version,
            value: s.value,
            metadata: d.metadata,
            createdAt: live ? before.createdAt : now,
            updatedAt: now,
            createdBy: live ? before.createdBy : actor.identity,
            updatedBy: actor.identity,
            deletedAt: null,
          };
          if (before) {
            // Conditional on the version read above: a concurrent writer makes this match nothing.
            const same = and(
              eq(secrets.path, d.path),
              eq(secrets.version, before.version),
              before.deletedAt === null ? isNull(secrets.deletedAt) : eq(secrets.deletedAt, before.deletedAt),
            );
            const moved = await tx.update(secrets).set(next).where(same).returning({ path: secrets.path });
            if (moved.length !== 1) throw new Stale();
            await tx.insert(secretVersions).values({
              path: before.path,
              version: before.version,
              value: before.value,
              metadata: before.metadata,
              createdAt: before.updatedAt,
              createdBy: before.updatedBy,
              archivedAt: before.deletedAt ?? now,
            });
          } else {
            const made = await tx
              .insert(secrets)
              .values(next)
              .onConflictDoNothing()
              .returning({ path: secrets.path });
            if (made.length !== 1) throw new Stale();
          }
          await ctx.audit.append(
            {
              ...auditBy(actor),
              action: d.action,
              path: d.path,
              success: true,
              metadata: { version: s.version, created: !live, ...d.audit },
            },
            tx,
          );
          out.push({ row: next, created: !live });
        }
        if (after) await after(tx, out);
        return out;
      });
    } catch (e) {
      if (!(e instanceof Stale)) throw e;
      await Bun.sleep(Math.random() * 2 * (attempt + 1));
    }
  }
  throw new GatehouseError("conflict", "The secret was changed by another request meanwhile; try again");
}
