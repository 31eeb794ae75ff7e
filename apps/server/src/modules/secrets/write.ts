import { invalid } from "@gatehouse/core";
import { and, eq, isNull } from "drizzle-orm";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { auditBy, authorizeSecret } from "./access";
import { checkMetadata, checkValue, type Metadata, mergeMetadata, securityChanges } from "./metadata";
import type { SecretPatch, SecretPost } from "./model";
import { commitVersions, notFound } from "./rows";
import { readVersion, secretView } from "./service";

/** Adding, changing or removing a security key needs `admin` on the path, not just `write`. */
export async function guardSecurity(
  ctx: AppContext,
  actor: Actor,
  path: string,
  before: Metadata,
  after: Metadata,
  action: string,
): Promise<void> {
  const changed = securityChanges(before, after);
  if (changed.length === 0) return;
  await authorizeSecret(
    ctx,
    actor,
    "admin",
    path,
    action,
    `Changing ${changed.join(", ")} needs admin on "${path}"`,
  );
}

/** New version with this value; metadata replaced when given, else kept. 201 semantics when `created`. */
export async function writeSecret(ctx: AppContext, actor: Actor, path: string, input: SecretPost) {
  await authorizeSecret(ctx, actor, "write", path, "secret.write");
  const value = checkValue(input.value);
  const metadata = input.metadata === undefined ? undefined : checkMetadata(input.metadata);
  const [done] = await commitVersions(ctx, actor, [path], async ([live]) => {
    const next = metadata ?? live?.metadata ?? {};
    await guardSecurity(ctx, actor, path, live?.metadata ?? {}, next, "secret.write");
    return [{ path, value, metadata: next, action: "secret.write" }];
  });
  if (!done) throw notFound(path);
  return { view: secretView(ctx, actor, done.row), created: done.created };
}

/** Replaces the metadata, or merges it (RFC 7386: null deletes a key); the value is kept in a new version. */
export async function updateMetadata(
  ctx: AppContext,
  actor: Actor,
  path: string,
  input: SecretPatch,
  merge: boolean,
) {
  await authorizeSecret(ctx, actor, "write", path, "secret.metadata_update");
  for (const [k, v] of Object.entries(input.metadata)) {
    if (v === null && !merge)
      throw invalid(
        `metadata.${k.slice(0, 64)}`,
        "null deletes a key only with Content-Type: application/merge-patch+json",
      );
  }
  const [done] = await commitVersions(ctx, actor, [path], async ([live]) => {
    if (!live) throw notFound(path);
    const next = checkMetadata(
      merge ? mergeMetadata(live.metadata, input.metadata) : (input.metadata as Record<string, string>),
    );
    await guardSecurity(ctx, actor, path, live.metadata, next, "secret.metadata_update");
    const { value } = await readVersion(ctx, actor, "secret.metadata_update", path, live, live.version);
    return [
      {
        path,
        value,
        metadata: next,
        action: "secret.metadata_update",
        audit: { mode: merge ? "merge" : "replace", keys: Object.keys(next) },
      },
    ];
  });
  if (!done) throw notFound(path);
  return secretView(ctx, actor, done.row);
}

/** A new version holding the value and metadata of version `n`. */
export async function rollbackSecret(ctx: AppContext, actor: Actor, path: string, n: number | undefined) {
  await authorizeSecret(ctx, actor, "write", path, "secret.rollback");
  if (n === undefined) throw invalid("version", "is required");
  const [done] = await commitVersions(ctx, actor, [path], async ([live]) => {
    if (!live) throw notFound(path);
    const old = await readVersion(ctx, actor, "secret.rollback", path, live, n);
    await guardSecurity(ctx, actor, path, live.metadata, old.metadata, "secret.rollback");
    return [
      {
        path,
        value: old.value,
        metadata: old.metadata,
        action: "secret.rollback",
        audit: { from_version: n },
      },
    ];
  });
  if (!done) throw notFound(path);
  return secretView(ctx, actor, done.row);
}

/** Soft delete: the row and its history stay (a later write continues the numbering); leases are revoked. */
export async function deleteSecret(ctx: AppContext, actor: Actor, path: string) {
  await authorizeSecret(ctx, actor, "delete", path, "secret.delete");
  const { secrets, leases } = ctx.store.t;
  return ctx.store.tx(async (tx) => {
    const now = ctx.now();
    const [gone] = await tx
      .update(secrets)
      .set({ deletedAt: now })
      .where(and(eq(secrets.path, path), isNull(secrets.deletedAt)))
      .returning({ version: secrets.version });
    if (!gone) throw notFound(path);
    const revoked = await tx
      .update(leases)
      .set({ revokedAt: now, revokeReason: "secret_deleted" })
      .where(and(eq(leases.path, path), isNull(leases.revokedAt)))
      .returning({ id: leases.id });
    for (const l of revoked) {
      await ctx.audit.append(
        {
          ...auditBy(actor),
          action: "lease.revoke",
          path,
          leaseId: l.id,
          success: true,
          metadata: { reason: "secret_deleted" },
        },
        tx,
      );
    }
    await ctx.audit.append(
      {
        ...auditBy(actor),
        action: "secret.delete",
        path,
        success: true,
        metadata: { version: gone.version, leases_revoked: revoked.length },
      },
      tx,
    );
    return { deleted: true as const, path, leases_revoked: revoked.length };
  });
}
