import { existsSync, readFileSync } from "node:fs";
import { help, parse, positionals, usageError } from "../args";
import { loadInto, snapshotSqliteFile, sqliteSource, totalRows, withStore } from "../host/copy";
import { openLegacy, readLegacy } from "../host/legacy";
import { HOST_OPTIONS, HOST_USAGE, openTargetStore, openVault, target } from "../host/vault";
import { CliError, EXIT, type Io } from "../io";
import { printJson } from "../output";
import { group, type Sub } from "./group";

const GATEHOUSE_USAGE = `Usage: gatehouse import gatehouse <data-dir | gatehouse.db> [options]

Imports an existing Gatehouse 0.10.3 vault into this one, on the host. The old vault is opened
read-only with its own master key; this vault is the one GATEHOUSE_DATA_DIR or GATEHOUSE_DATABASE_URL
names, opened with GATEHOUSE_MASTER_KEY(_FILE).

  secrets     every secret and its archived versions, re-sealed under this vault's key (paths and
              metadata keys this version rejects are reported and skipped or renamed)
  policies    database policies; globs are rewritten to keep Gatehouse's meaning ("*" crossed "/"),
              and a glob without an exact rewrite is dropped and reported (narrower, never wider)
  AppRoles    with their role_id and secret_id hash, so agents keep their credentials
Users, dynamic configs, leases, patterns and the audit log are not carried over (counted in the
report). Nothing that already exists here is overwritten. All or nothing, audited as import.gatehouse.
Stop the server or restart it afterwards (it caches policies).

Options:
  --source-key-file <file>  The Gatehouse vault's master key (default: GATEHOUSE_SOURCE_MASTER_KEY)
  --prefix <prefix>         Put the imported secrets under this prefix (e.g. legacy)
  --dry-run                 Check and report, write nothing
${HOST_USAGE}`;

function sourceKey(io: Io, file: string | undefined): string {
  let hex = io.env.GATEHOUSE_SOURCE_MASTER_KEY?.trim();
  if (file) {
    try {
      hex = readFileSync(file, "utf8").trim();
    } catch {
      throw new CliError(`cannot read ${file}`, EXIT.usage);
    }
  }
  if (!hex)
    throw new CliError(
      "the Gatehouse vault's master key is needed: --source-key-file or GATEHOUSE_SOURCE_MASTER_KEY",
      EXIT.usage,
    );
  // Gatehouse took 64 or more hex characters (Buffer.from(hex, "hex")).
  if (!/^[0-9a-fA-F]{64,}$/.test(hex))
    throw new CliError("the Gatehouse master key must be 64+ hexadecimal characters", EXIT.usage);
  return hex;
}

const fromGatehouse: Sub = {
  name: "gatehouse",
  summary: "Import a Gatehouse 0.10.3 data directory (secrets, versions, policies, AppRoles)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      {
        ...HOST_OPTIONS,
        "source-key-file": { type: "string" },
        prefix: { type: "string" },
        "dry-run": { type: "boolean" },
      },
      GATEHOUSE_USAGE,
    );
    if (values.help) return help(io, GATEHOUSE_USAGE);
    const [source] = positionals(rest, ["<data-dir>"], GATEHOUSE_USAGE) as [string];
    const key = sourceKey(io, values["source-key-file"]);
    const db = openLegacy(source);
    let legacy: ReturnType<typeof readLegacy>;
    try {
      legacy = readLegacy(db, key);
    } finally {
      db.close();
    }
    const vault = await openVault(io.env, values);
    try {
      const { importLegacy } = await import("@gatehouse/server/ops/import");
      const report = await importLegacy(
        vault.store,
        vault.keys,
        (e, tx) => vault.record(e, tx),
        legacy.data,
        {
          prefix: values.prefix,
          dryRun: values["dry-run"] === true,
          by: vault.identity,
        },
      ).catch((e) => {
        throw new CliError(e instanceof Error ? e.message : String(e));
      });
      const result = {
        dry_run: values["dry-run"] === true,
        target: vault.target.label,
        ...report,
        not_imported: legacy.notImported,
      };
      if (values.json) printJson(io, result);
      else {
        const verb = result.dry_run ? "Would import" : "Imported";
        io.stderr(
          `${verb} ${report.secrets.imported.length} secret(s) (${report.secrets.versions} version(s)), ` +
            `${report.policies.imported.length} polic(ies), ${report.approles.imported.length} AppRole(s) into ${vault.target.label}`,
        );
        for (const s of report.secrets.skipped) io.stderr(`  skipped secret ${s.path}: ${s.reason}`);
        for (const p of report.policies.skipped) io.stderr(`  skipped policy ${p.name}: ${p.reason}`);
        for (const r of report.approles.skipped) io.stderr(`  skipped AppRole ${r.role_id}: ${r.reason}`);
        for (const g of report.policies.translated)
          io.stderr(
            `  policy ${g.policy}: ${g.exact ? `"${g.glob}" became ${g.now.map((x) => `"${x}"`).join(" + ")}` : `dropped "${g.glob}": ${g.message}`}`,
          );
        for (const m of report.metadata_keys_renamed)
          io.stderr(`  ${m.path}: metadata key "${m.from}" is now "${m.to}"`);
        for (const [t, n] of Object.entries(legacy.notImported))
          io.stderr(`  not imported: ${n} row(s) of ${t}`);
      }
      return EXIT.ok;
    } finally {
      await vault.close();
    }
  },
};

const SQLITE_USAGE = `Usage: gatehouse import sqlite <data-dir | gatehouse.db> --database-url postgres://... [options]

Moves a Gatehouse (this version) SQLite vault into PostgreSQL, for running several replicas: a
consistent snapshot of the SQLite file (it may be in use) is copied table by table into the database
in one transaction. Values stay sealed: start the servers with the same master key. The PostgreSQL
database must hold no Gatehouse data yet (--replace overwrites it).

Options:
  --replace                 Overwrite Gatehouse data already in the database
${HOST_USAGE}`;

const fromSqlite: Sub = {
  name: "sqlite",
  summary: "Move a SQLite vault of this version into PostgreSQL",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...HOST_OPTIONS, replace: { type: "boolean" } },
      SQLITE_USAGE,
    );
    if (values.help) return help(io, SQLITE_USAGE);
    const [source] = positionals(rest, ["<data-dir>"], SQLITE_USAGE) as [string];
    const t = target(io.env, values);
    if (t.dialect !== "pg")
      throw usageError(
        "the target must be PostgreSQL: --database-url or GATEHOUSE_DATABASE_URL",
        SQLITE_USAGE,
      );
    if (!existsSync(source)) throw new CliError(`no such file or directory: ${source}`);
    const dump = await snapshotSqliteFile(sqliteSource(source));
    const written = await withStore(openTargetStore(t), (s) => loadInto(s, dump, values.replace === true));
    const result = {
      imported: true,
      source,
      target: t.label,
      key_fingerprint: dump.key_fingerprint,
      tables: written,
    };
    if (values.json) printJson(io, result);
    else
      io.stderr(
        `Copied ${totalRows(written)} rows from ${source} into ${t.label}. ` +
          `Start the servers with GATEHOUSE_DATABASE_URL and the master key whose fingerprint is ${dump.key_fingerprint}.`,
      );
    return EXIT.ok;
  },
};

export const importCommand = group(
  "import",
  "Import a Gatehouse 0.10.3 vault, or move a SQLite vault into PostgreSQL (host)",
  [fromGatehouse, fromSqlite],
);
