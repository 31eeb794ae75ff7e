import { GatehouseError, invalid, isGatehouseError } from "@gatehouse/core";
import { isValidPrefix } from "@gatehouse/core/paths";
import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import { auditBy, authorizeSecret } from "./access";
import { envKeyToSegment, parseEnv } from "./dotenv";
import { checkMetadata, checkValue, type Metadata } from "./metadata";
import { type BulkImport, MAX_BULK_ITEMS } from "./model";
import { checkPath, commitVersions, type Draft, liveOnly, rowsFor, type SecretRow } from "./rows";
import { guardSecurity } from "./write";

interface Item {
  path: string;
  value: string;
  metadata?: Metadata;
}

const AUDITED_PATHS = 100;

/** Re-throws a path error naming the item it came from (the code stays path_invalid / path_reserved). */
function pathOf(field: string, path: string): string {
  try {
    return checkPath(path);
  } catch (e) {
    if (isGatehouseError(e)) throw new GatehouseError(e.code, `${field}.${e.message}`, { field });
    throw e;
  }
}

function collect(input: BulkImport): Item[] {
  const raw = (input.prefix ?? "").trim();
  if (!isValidPrefix(raw)) throw invalid("prefix", "must be path-shaped, optionally ending in '/'");
  const prefix = raw.replace(/\/$/, "");
  const under = (p: string) => (prefix ? `${prefix}/${p}` : p);
  const items: Item[] = [];
  if (input.env_text !== undefined) {
    for (const e of parseEnv(input.env_text)) {
      const field = `env_text line ${e.line} (${e.key})`;
      items.push({ path: pathOf(field, under(envKeyToSegment(e.key))), value: checkValue(e.value, field) });
    }
  }
  for (const [i, s] of (input.secrets ?? []).entries()) {
    const field = `secrets[${i}]`;
    items.push({
      path: pathOf(field, under(s.path.trim())),
      value: checkValue(s.value, `${field}.value`),
      metadata: s.metadata === undefined ? undefined : checkMetadata(s.metadata, `${field}.metadata`),
    });
  }
  if (items.length === 0) throw invalid("secrets", "nothing to import: give env_text or secrets");
  if (items.length > MAX_BULK_ITEMS) throw invalid("secrets", `at most ${MAX_BULK_ITEMS} secrets per import`);
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.path)) throw invalid("secrets", `"${it.path}" appears twice`);
    seen.add(it.path);
  }
  return items;
}

/**
 * Imports `.env` text and/or a list of secrets: `write` on every path (and `admin` where security
 * metadata changes), then every version is written in one transaction, or none is.
 */
export async function bulkImport(ctx: AppContext, actor: Actor, input: BulkImport) {
  const items = collect(input);
  for (const it of items) await authorizeSecret(ctx, actor, "write", it.path, "secret.bulk_import");
  const paths = items.map((it) => it.path);
  const plan = async (live: (SecretRow | undefined)[]): Promise<Draft[]> => {
    const drafts: Draft[] = [];
    for (const [i, it] of items.entries()) {
      const current = live[i];
      const metadata = it.metadata ?? current?.metadata ?? {};
      await guardSecurity(ctx, actor, it.path, current?.metadata ?? {}, metadata, "secret.bulk_import");
      drafts.push({
        path: it.path,
        value: it.value,
        metadata,
        action: "secret.write",
        audit: { via: "bulk" },
      });
    }
    return drafts;
  };
  const summary = (dryRun: boolean) => ({
    ...auditBy(actor),
    action: "secret.bulk_import",
    path: input.prefix?.trim() || null,
    success: true,
    metadata: { dry_run: dryRun, count: paths.length, paths: paths.slice(0, AUDITED_PATHS) },
  });
  if (input.dry_run) {
    await plan((await rowsFor(ctx, paths)).map(liveOnly));
    await ctx.audit.append(summary(true));
    return { dry_run: true as const, would_import: paths };
  }
  await commitVersions(ctx, actor, paths, plan, (tx) => ctx.audit.append(summary(false), tx));
  return { imported_count: paths.length, paths };
}
