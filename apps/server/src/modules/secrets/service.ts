import { GatehouseError, invalid } from "@gatehouse/core";
import { isValidPrefix } from "@gatehouse/core/paths";
import { and, eq } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { type Access, accessOn, auditBy, authorizeAny, authorizeSecret, SEE_CAPS } from "./access";
import { visibleMetadata } from "./metadata";
import type { SecretView, VersionList } from "./model";
import { findLive, iso, listLive, openFor, type SecretRow } from "./rows";

const toView = (row: SecretRow, access: Access): SecretView => ({
  path: row.path,
  metadata: visibleMetadata(row.metadata, access.admin),
  version: row.version,
  created_at: iso(row.createdAt),
  updated_at: iso(row.updatedAt),
  kind: "static",
  caps: access.caps,
});

export const secretView = (ctx: AppContext, actor: Actor, row: SecretRow): SecretView =>
  toView(row, accessOn(ctx, actor, row.path));

const audited = (
  ctx: AppContext,
  actor: Actor,
  action: string,
  path: string | null,
  metadata?: Record<string, unknown>,
) => ctx.audit.append({ ...auditBy(actor), action, path, success: true, metadata });

/** Every live secret under `prefix` the caller may see (any of list/read/proxy/lease). */
export async function listSecrets(
  ctx: AppContext,
  actor: Actor,
  prefix = "",
): Promise<{ secrets: SecretView[] }> {
  if (!isValidPrefix(prefix))
    throw invalid("prefix", "must be empty or path-shaped, optionally ending in '/'");
  const out: SecretView[] = [];
  const rows = await listLive(ctx, prefix);
  // Sorted here, byte-wise: PostgreSQL's ORDER BY follows the database collation.
  rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const row of rows) {
    const access = accessOn(ctx, actor, row.path);
    if (access.visible) out.push(toView(row, access));
  }
  await audited(ctx, actor, "secret.list", prefix || null, { prefix, count: out.length });
  return { secrets: out };
}

export async function getSecret(ctx: AppContext, actor: Actor, path: string): Promise<SecretView> {
  await authorizeAny(ctx, actor, SEE_CAPS, path, "secret.read_metadata");
  const row = await findLive(ctx, path);
  await audited(ctx, actor, "secret.read_metadata", path, { version: row.version });
  return secretView(ctx, actor, row);
}

export async function revealValue(ctx: AppContext, actor: Actor, path: string, reason?: string) {
  await authorizeSecret(ctx, actor, "read", path, "secret.reveal_value", undefined, { kind: "read", reason });
  const row = await findLive(ctx, path);
  const value = await openFor(ctx, actor, "secret.reveal_value", path, row.version, row.value);
  await audited(ctx, actor, "secret.reveal_value", path, { version: row.version });
  return { path, value, version: row.version };
}

export async function listVersions(ctx: AppContext, actor: Actor, path: string): Promise<VersionList> {
  await authorizeAny(ctx, actor, ["read"], path, "secret.read_metadata");
  const row = await findLive(ctx, path);
  const { secretVersions } = ctx.store.t;
  const archived = await ctx.store.db
    .select({
      version: secretVersions.version,
      metadata: secretVersions.metadata,
      createdAt: secretVersions.createdAt,
      archivedAt: secretVersions.archivedAt,
    })
    .from(secretVersions)
    .where(eq(secretVersions.path, path));
  const admin = accessOn(ctx, actor, path).admin;
  const versions = [
    {
      version: row.version,
      metadata: row.metadata,
      createdAt: row.updatedAt,
      archivedAt: null as number | null,
    },
    ...archived,
  ]
    .sort((a, b) => b.version - a.version)
    .map((v) => ({
      version: v.version,
      metadata: visibleMetadata(v.metadata, admin),
      created_at: iso(v.createdAt),
      archived_at: v.archivedAt === null ? null : iso(v.archivedAt),
      current: v.version === row.version,
    }));
  await audited(ctx, actor, "secret.read_metadata", path, { versions: versions.length });
  return { versions };
}

/** The value and metadata of version `n` (current or archived), opened with that version's context. */
export async function readVersion(
  ctx: AppContext,
  actor: Actor,
  action: string,
  path: string,
  row: SecretRow,
  n: number,
) {
  const open = (sealed: string) => openFor(ctx, actor, action, path, n, sealed);
  if (n === row.version) return { value: await open(row.value), metadata: row.metadata };
  const { secretVersions } = ctx.store.t;
  const [v] = await ctx.store.db
    .select({ value: secretVersions.value, metadata: secretVersions.metadata })
    .from(secretVersions)
    .where(and(eq(secretVersions.path, path), eq(secretVersions.version, n)))
    .limit(1);
  if (!v) throw new GatehouseError("not_found", `"${path}" has no version ${n}`);
  return { value: await open(v.value), metadata: v.metadata };
}

export async function revealVersion(ctx: AppContext, actor: Actor, path: string, n: number) {
  await authorizeSecret(ctx, actor, "read", path, "secret.reveal_value");
  const row = await findLive(ctx, path);
  const { value } = await readVersion(ctx, actor, "secret.reveal_value", path, row, n);
  await audited(ctx, actor, "secret.reveal_value", path, { version: n });
  return { path, version: n, value };
}
