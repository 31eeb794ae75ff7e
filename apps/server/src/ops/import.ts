// Writes data read from a Gatehouse 0.10.3 vault (decrypted by the CLI with that vault's master key)
// into this vault: secrets with their versions re-sealed under this vault's key, database policies
// with their globs translated to the new glob meaning, and AppRoles (their Argon2id secret_id hashes
// carry over, so agents keep their credentials). Nothing already here is overwritten.
import { GatehouseError, isGatehouseError } from "@gatehouse/core";
import { BUILTIN_ADMIN, changedFromGatehouseGlob, toDocument, validatePolicy } from "@gatehouse/core/policy";
import { eq, inArray } from "drizzle-orm";
import type { AuditEntry } from "../audit/writer";
import type { Db, Store } from "../db/store";
import { assertKeyringCurrent, type Keys } from "../keys";
import { checkMetadata } from "../modules/secrets/metadata";
import { checkPath, sealContext } from "../modules/secrets/rows";

export interface LegacyVersion {
  version: number;
  value: string;
  metadata: Record<string, unknown>;
  createdAt: number;
}

export interface LegacySecret {
  path: string;
  /** Oldest first; the last one is the current version. */
  versions: LegacyVersion[];
  createdAt: number;
  updatedAt: number;
  createdBy?: string;
}

export interface LegacyPolicy {
  name: string;
  rules: { paths: string[]; capabilities: string[] }[];
  createdAt: number;
  updatedAt: number;
}

export interface LegacyAppRole {
  id: string;
  displayName: string;
  secretIdHash: string;
  policies: string[];
  ipAllowlist: string[];
  suspended: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface LegacyData {
  secrets: LegacySecret[];
  policies: LegacyPolicy[];
  approles: LegacyAppRole[];
}

export interface ImportReport {
  secrets: { imported: string[]; versions: number; skipped: { path: string; reason: string }[] };
  policies: {
    imported: string[];
    skipped: { name: string; reason: string }[];
    /** Globs rewritten to keep their Gatehouse meaning, or dropped when no exact rewrite exists. */
    translated: { policy: string; glob: string; now: string[]; exact: boolean; message: string }[];
  };
  approles: { imported: string[]; skipped: { role_id: string; reason: string }[] };
  metadata_keys_renamed: { path: string; from: string; to: string }[];
}

type Record_ = (entry: Omit<AuditEntry, "identity">, tx: Db) => Promise<void>;

const why = (e: unknown) => (isGatehouseError(e) || e instanceof Error ? e.message : String(e));

/** Gatehouse accepted any metadata key; ours are `[a-z0-9_]{1,64}`. */
function metadataFor(
  path: string,
  raw: Record<string, unknown>,
  renamed: ImportReport["metadata_keys_renamed"],
) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const key = k
      .toLowerCase()
      .replace(/[^a-z0-9_]/g, "_")
      .slice(0, 64);
    if (key !== k) renamed.push({ path, from: k, to: key });
    out[key] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return checkMetadata(out);
}

/** Translates one Gatehouse policy; globs without an exact new spelling are dropped (narrower is safe). */
function translatePolicy(p: LegacyPolicy, report: ImportReport) {
  const rules = [];
  for (const r of p.rules) {
    const paths: string[] = [];
    for (const glob of r.paths) {
      const change = changedFromGatehouseGlob(glob);
      if (!change) {
        paths.push(glob);
        continue;
      }
      const now = change.exact ? change.suggestion : [];
      paths.push(...now);
      report.policies.translated.push({
        policy: p.name,
        glob,
        now,
        exact: change.exact,
        message: change.message,
      });
    }
    if (paths.length) rules.push({ paths: [...new Set(paths)], capabilities: r.capabilities });
  }
  return { name: p.name, rules };
}

/**
 * Imports everything in one transaction (all or nothing). With `dryRun` the transaction is rolled
 * back after the checks, so the report says what would happen.
 */
export async function importLegacy(
  store: Store,
  keys: Keys,
  record: Record_,
  data: LegacyData,
  opts: { prefix?: string; dryRun?: boolean; by?: string; now?: number } = {},
): Promise<ImportReport> {
  const now = opts.now ?? Date.now();
  const by = opts.by ?? "import";
  const prefix = opts.prefix ? `${opts.prefix.replace(/\/+$/, "")}/` : "";
  const report: ImportReport = {
    secrets: { imported: [], versions: 0, skipped: [] },
    policies: { imported: [], skipped: [], translated: [] },
    approles: { imported: [], skipped: [] },
    metadata_keys_renamed: [],
  };
  const { secrets, secretVersions, policies, approles } = store.t;

  // Seal outside the transaction (synchronous crypto, but there can be many values).
  type Planned = {
    s: LegacySecret;
    path: string;
    versions: (LegacyVersion & { metadata: Record<string, string>; sealed: string })[];
  };
  const planned: Planned[] = [];
  for (const s of data.secrets) {
    const path = `${prefix}${s.path.replace(/^\/+|\/+$/g, "")}`;
    try {
      checkPath(path);
      if (s.versions.length === 0) throw new Error("no versions");
      const versions = s.versions.map((v) => ({
        ...v,
        metadata: metadataFor(path, v.metadata, report.metadata_keys_renamed),
        sealed: keys.seal("secret", sealContext(path, v.version), v.value),
      }));
      planned.push({ s, path, versions });
    } catch (e) {
      report.secrets.skipped.push({ path: s.path, reason: why(e) });
    }
  }

  const rollback = new Error("dry run");
  try {
    await store.tx(async (tx) => {
      await assertKeyringCurrent(
        { store, keys },
        tx,
        ...planned.flatMap((p) => p.versions.map((v) => v.sealed)),
      );
      const paths = planned.map((p) => p.path);
      const taken = new Set(
        paths.length
          ? (await tx.select({ path: secrets.path }).from(secrets).where(inArray(secrets.path, paths))).map(
              (r) => r.path,
            )
          : [],
      );
      for (const p of planned) {
        if (taken.has(p.path)) {
          report.secrets.skipped.push({ path: p.s.path, reason: `"${p.path}" already exists here` });
          continue;
        }
        const current = p.versions[p.versions.length - 1] as Planned["versions"][number];
        for (const [i, v] of p.versions.slice(0, -1).entries()) {
          await tx.insert(secretVersions).values({
            path: p.path,
            version: v.version,
            value: v.sealed,
            metadata: v.metadata,
            createdAt: v.createdAt,
            createdBy: p.s.createdBy ?? by,
            archivedAt: p.versions[i + 1]?.createdAt ?? now,
          });
        }
        await tx.insert(secrets).values({
          path: p.path,
          version: current.version,
          value: current.sealed,
          metadata: current.metadata,
          createdAt: p.s.createdAt,
          updatedAt: p.s.updatedAt,
          createdBy: p.s.createdBy ?? by,
          updatedBy: p.s.createdBy ?? by,
          deletedAt: null,
        });
        report.secrets.imported.push(p.path);
        report.secrets.versions += p.versions.length;
      }

      for (const p of data.policies) {
        if (p.name === BUILTIN_ADMIN.name) {
          report.policies.skipped.push({ name: p.name, reason: "the built-in admin policy exists here" });
          continue;
        }
        const doc = translatePolicy(p, report);
        const { policy, errors } = validatePolicy(doc);
        if (!policy || errors.length) {
          const first = errors[0];
          report.policies.skipped.push({
            name: p.name,
            reason: first ? `${first.path}: ${first.message}` : "invalid",
          });
          continue;
        }
        const [exists] = await tx
          .select({ name: policies.name })
          .from(policies)
          .where(eq(policies.name, p.name));
        if (exists) {
          report.policies.skipped.push({ name: p.name, reason: "a policy with this name exists here" });
          continue;
        }
        const description = "Imported from Gatehouse 0.10.3";
        await tx.insert(policies).values({
          name: policy.name,
          description,
          document: { ...toDocument({ ...policy, description }), description },
          createdAt: p.createdAt,
          updatedAt: now,
        });
        report.policies.imported.push(p.name);
      }

      for (const r of data.approles) {
        const [exists] = await tx.select({ id: approles.id }).from(approles).where(eq(approles.id, r.id));
        if (exists) {
          report.approles.skipped.push({ role_id: r.id, reason: "an AppRole with this role_id exists here" });
          continue;
        }
        if (!/^\$argon2id?\$/.test(r.secretIdHash)) {
          report.approles.skipped.push({ role_id: r.id, reason: "its secret_id hash is not Argon2" });
          continue;
        }
        await tx.insert(approles).values({
          id: r.id,
          displayName: r.displayName.slice(0, 128) || r.id,
          policies: r.policies,
          ipAllowlist: r.ipAllowlist,
          tokenTtlSeconds: 3600,
          suspended: r.suspended,
          secretIdHash: r.secretIdHash,
          secretGen: 1,
          createdAt: r.createdAt,
          updatedAt: now,
          lastUsedAt: r.lastUsedAt,
        });
        report.approles.imported.push(r.id);
      }

      await record(
        {
          action: "import.gatehouse",
          success: true,
          metadata: {
            secrets: report.secrets.imported.length,
            versions: report.secrets.versions,
            policies: report.policies.imported.length,
            approles: report.approles.imported.length,
            skipped:
              report.secrets.skipped.length + report.policies.skipped.length + report.approles.skipped.length,
            prefix: prefix || null,
          },
        },
        tx,
      );
      if (opts.dryRun) throw rollback;
    });
  } catch (e) {
    if (e !== rollback) throw e instanceof GatehouseError ? new Error(e.message) : e;
  }
  return report;
}
