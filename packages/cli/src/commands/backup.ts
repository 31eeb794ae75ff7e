import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { help, parse, positionals, usageError } from "../args";
import {
  isSqliteFile,
  loadInto,
  replaceSqliteFile,
  snapshotSqliteFile,
  totalRows,
  withStore,
} from "../host/copy";
import { HOST_OPTIONS, HOST_USAGE, openTargetStore, target } from "../host/vault";
import { CliError, EXIT } from "../io";
import { printJson } from "../output";
import type { Command } from "./types";

const BACKUP_USAGE = `Usage: gatehouse backup <file> [options]

A consistent snapshot of the vault, taken on the host while the server keeps running:
  SQLite      VACUUM INTO a new database file (checked with PRAGMA integrity_check)
  PostgreSQL  every Gatehouse table read in one REPEATABLE READ transaction, written as JSON
              (pg_dump of the database works too; this format also restores into SQLite)

Values stay sealed: restoring needs the same master key (its fingerprint is printed and stored).
The file is written with mode 0600. No master key is needed to take a backup.

Options:
  --format <sqlite|json>    Output format (default: sqlite for SQLite, json for PostgreSQL)
${HOST_USAGE}`;

export const backup: Command = {
  name: "backup",
  summary: "Snapshot the vault's database (host; SQLite or PostgreSQL)",
  usage: BACKUP_USAGE,
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...HOST_OPTIONS, format: { type: "string" } },
      BACKUP_USAGE,
    );
    if (values.help) return help(io, BACKUP_USAGE);
    const [out] = positionals(rest, ["<file>"], BACKUP_USAGE) as [string];
    const t = target(io.env, values);
    const format = values.format ?? (t.dialect === "sqlite" ? "sqlite" : "json");
    if (format !== "sqlite" && format !== "json")
      throw usageError("--format must be sqlite or json", BACKUP_USAGE);
    if (format === "sqlite" && t.dialect === "pg")
      throw usageError("a PostgreSQL vault is backed up as json (or with pg_dump)", BACKUP_USAGE);
    const file = resolve(out);
    if (existsSync(file)) throw new CliError(`${file} already exists`);
    mkdirSync(dirname(file), { recursive: true });
    const snap = await import("@gatehouse/server/ops/snapshot");
    let info: { key_fingerprint: string | null; keyring_version: string | null };
    let tables: Record<string, number>;
    if (t.dialect === "sqlite" && !existsSync(t.sqlitePath))
      throw new CliError(`no vault at ${t.sqlitePath} (set GATEHOUSE_DATA_DIR or --data-dir)`);
    if (format === "sqlite") {
      // Only a SQLite vault gets here (checked above).
      snap.sqliteFileBackup(t.sqlitePath, file);
      info = snap.sqliteFileInfo(file);
      const { openStore } = await import("@gatehouse/server/db/store");
      tables = await withStore(openStore({ sqlitePath: file }), (s) => snap.rowCounts(s));
    } else {
      const dump =
        t.dialect === "sqlite"
          ? await snapshotSqliteFile(t.sqlitePath)
          : await withStore(openTargetStore(t), (s) => snap.dumpStore(s));
      writeFileSync(file, JSON.stringify(dump), { mode: 0o600 });
      info = dump;
      tables = Object.fromEntries(
        Object.entries(dump.tables)
          .filter(([, r]) => r.length)
          .map(([k, r]) => [k, r.length]),
      );
    }
    chmodSync(file, 0o600);
    const result = {
      file,
      format,
      source: t.label,
      bytes: statSync(file).size,
      key_fingerprint: info.key_fingerprint,
      keyring_version: info.keyring_version,
      tables,
    };
    if (values.json) printJson(io, result);
    else
      io.stderr(
        `Backed up ${t.label} to ${file} (${format}, ${result.bytes} bytes, ${totalRows(tables)} rows). ` +
          `Restoring needs the master key with fingerprint ${info.key_fingerprint ?? "(none yet)"}.`,
      );
    return EXIT.ok;
  },
};

const RESTORE_USAGE = `Usage: gatehouse restore <file> [options]

Restores a backup made by \`gatehouse backup\` into the vault named by GATEHOUSE_DATA_DIR or
GATEHOUSE_DATABASE_URL. Stop the server(s) first. Any backup restores into either engine: a SQLite file
into SQLite is put in place as it is; everything else is copied table by table in one transaction.
Start the server with the master key whose fingerprint the backup names.

Options:
  --replace                 Overwrite a vault that already holds data
${HOST_USAGE}`;

export const restore: Command = {
  name: "restore",
  summary: "Restore a backup (host; stop the server first)",
  usage: RESTORE_USAGE,
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...HOST_OPTIONS, replace: { type: "boolean" } },
      RESTORE_USAGE,
    );
    if (values.help) return help(io, RESTORE_USAGE);
    const [input] = positionals(rest, ["<file>"], RESTORE_USAGE) as [string];
    const file = resolve(input);
    if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
    const t = target(io.env, values);
    const snap = await import("@gatehouse/server/ops/snapshot");
    let fingerprint: string | null;
    let written: Record<string, number>;
    if (isSqliteFile(file) && t.dialect === "sqlite") {
      const info = snap.sqliteFileInfo(file);
      if (existsSync(t.sqlitePath) && !values.replace)
        throw new CliError(
          `${t.sqlitePath} already exists; pass --replace to overwrite it (stop the server first)`,
        );
      mkdirSync(t.dataDir, { recursive: true });
      replaceSqliteFile(file, t.sqlitePath);
      // Opening migrates a backup from an older version forward.
      written = await withStore(openTargetStore(t), (s) => snap.rowCounts(s));
      fingerprint = info.key_fingerprint;
    } else {
      let dump: import("@gatehouse/server/ops/snapshot").Snapshot;
      if (isSqliteFile(file)) dump = await snapshotSqliteFile(file);
      else {
        try {
          dump = snap.checkSnapshot(JSON.parse(readFileSync(file, "utf8")));
        } catch (e) {
          throw new CliError(`${file}: ${e instanceof Error ? e.message : e}`);
        }
      }
      written = await withStore(openTargetStore(t), (s) => loadInto(s, dump, values.replace === true));
      fingerprint = dump.key_fingerprint;
    }
    const result = { restored: true, file, target: t.label, key_fingerprint: fingerprint, tables: written };
    if (values.json) printJson(io, result);
    else
      io.stderr(
        `Restored ${file} into ${t.label} (${totalRows(written)} rows). ` +
          `Start the server with the master key whose fingerprint is ${fingerprint ?? "(none)"}.`,
      );
    return EXIT.ok;
  },
};
