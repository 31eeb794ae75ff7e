import { readFileSync } from "node:fs";
import {
  CLIENT_OPTIONS,
  CLIENT_USAGE,
  help,
  intOption,
  pairs,
  parse,
  positionals,
  usageError,
} from "../args";
import { clientFor, encodePath } from "../client";
import { CliError, EXIT } from "../io";
import { ago, printJson, printTable } from "../output";
import { group, type Sub } from "./group";
import { printValue, reasonHeaders, VALUE_OPTIONS, withApproval } from "./read";

const GET_USAGE = `Usage: gatehouse secrets get <path> [options]

Prints a secret's value (followed by a newline) to stdout.

Options:
  --version <n>     An archived version instead of the current one
  --reason <text>   Why you need it: shown to the approver when the read needs approval
  --wait <seconds>  When the read needs approval, wait this long for a human (else exit 4)
  --no-newline      Print the value exactly, without the trailing newline
${CLIENT_USAGE}`;

const get: Sub = {
  name: "get",
  summary: "Print a secret's value",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...VALUE_OPTIONS, version: { type: "string" } },
      GET_USAGE,
    );
    if (values.help) return help(io, GET_USAGE);
    const [path] = positionals(rest, ["<path>"], GET_USAGE) as [string];
    const version = intOption(values.version, "version", GET_USAGE);
    const wait = intOption(values.wait, "wait", GET_USAGE);
    const client = clientFor(values, io);
    const url = version
      ? `/v1/secrets/${encodePath(path)}/versions/${version}`
      : `/v1/secrets/${encodePath(path)}/value`;
    const headers = reasonHeaders(values.reason);
    const body = await withApproval(client, wait, io, () =>
      client.get<{ path: string; value: string; version: number }>(url, { headers }),
    );
    printValue(io, values, body);
    return EXIT.ok;
  },
};

const PUT_USAGE = `Usage: gatehouse secrets put <path> [<value> | -] [options]

Writes a new version of a secret. Without a value (or with "-") the value is read from stdin, minus
one trailing newline; prefer that to an argument, which other users can see in the process list.

Options:
  -m, --metadata <key=value>   Metadata (repeatable); replaces the secret's metadata when given
  --value-file <file>          Read the value from a file (exactly, newlines included)
${CLIENT_USAGE}`;

const put: Sub = {
  name: "put",
  summary: "Write a secret (value from stdin, a file or an argument)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      {
        ...CLIENT_OPTIONS,
        metadata: { type: "string", short: "m", multiple: true },
        "value-file": { type: "string" },
      },
      PUT_USAGE,
    );
    if (values.help) return help(io, PUT_USAGE);
    const [path, given] = positionals(rest, ["<path>", "<value>"], PUT_USAGE, 1) as [string, string?];
    if (given !== undefined && values["value-file"])
      throw usageError("give a value or --value-file, not both", PUT_USAGE);
    let value: string;
    if (values["value-file"]) value = readFileSync(values["value-file"], "utf8");
    else if (given !== undefined && given !== "-") value = given;
    else value = (await io.readStdin()).replace(/\r?\n$/, "");
    if (value === "") throw new CliError("the value is empty", EXIT.usage);
    const metadata = values.metadata ? pairs(values.metadata, "metadata", PUT_USAGE) : undefined;
    const client = clientFor(values, io);
    const r = await client.request<{ path: string; version: number }>(
      "POST",
      `/v1/secrets/${encodePath(path)}`,
      {
        body: { value, ...(metadata ? { metadata } : {}) },
      },
    );
    if (values.json) printJson(io, r.body);
    else io.stderr(`${r.status === 201 ? "Created" : "Wrote"} ${r.body.path} (version ${r.body.version})`);
    return EXIT.ok;
  },
};

const LS_USAGE = `Usage: gatehouse secrets ls [<prefix>] [options]

Lists the secrets under a prefix that you may see (never their values).

Options:
${CLIENT_USAGE}`;

const ls: Sub = {
  name: "ls",
  summary: "List secrets under a prefix",
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, LS_USAGE);
    if (values.help) return help(io, LS_USAGE);
    const [prefix] = positionals(rest, ["<prefix>"], LS_USAGE, 1);
    const client = clientFor(values, io);
    const r = await client.get<{
      secrets: { path: string; version: number; updated_at: string; caps: string[] }[];
    }>("/v1/secrets", { query: { prefix } });
    if (values.json) printJson(io, r);
    else
      printTable(
        io,
        ["PATH", "VERSION", "UPDATED", "YOU MAY"],
        r.secrets.map((s) => [s.path, s.version, ago(s.updated_at), s.caps.join(",")]),
        "(no secrets)",
      );
    return EXIT.ok;
  },
};

const RM_USAGE = `Usage: gatehouse secrets rm <path> [options]

Deletes a secret (its history is kept; its leases are revoked).

Options:
${CLIENT_USAGE}`;

const rm: Sub = {
  name: "rm",
  summary: "Delete a secret",
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, RM_USAGE);
    if (values.help) return help(io, RM_USAGE);
    const [path] = positionals(rest, ["<path>"], RM_USAGE) as [string];
    const client = clientFor(values, io);
    const r = await client.request<{ path: string; leases_revoked: number }>(
      "DELETE",
      `/v1/secrets/${encodePath(path)}`,
    );
    if (values.json) printJson(io, r.body);
    else io.stderr(`Deleted ${r.body.path} (${r.body.leases_revoked} lease(s) revoked)`);
    return EXIT.ok;
  },
};

const IMPORT_USAGE = `Usage: gatehouse secrets import <file.env | -> [options]

Imports a .env file (KEY=value lines; KEY becomes key-with-dashes, as in Gatehouse), all or nothing.

Options:
  --prefix <prefix>   Put every secret under this prefix (e.g. apps/billing)
  --dry-run           Show what would be written, write nothing
${CLIENT_USAGE}`;

const importEnv: Sub = {
  name: "import",
  summary: "Import a .env file (all or nothing; --dry-run)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, prefix: { type: "string" }, "dry-run": { type: "boolean" } },
      IMPORT_USAGE,
    );
    if (values.help) return help(io, IMPORT_USAGE);
    const [file] = positionals(rest, ["<file.env>"], IMPORT_USAGE) as [string];
    const text = file === "-" ? await io.readStdin() : readFileSync(file, "utf8");
    const client = clientFor(values, io);
    const r = await client.post<{
      dry_run?: boolean;
      would_import?: string[];
      imported_count?: number;
      paths?: string[];
    }>("/v1/secrets-bulk", {
      env_text: text,
      ...(values.prefix ? { prefix: values.prefix } : {}),
      dry_run: values["dry-run"] === true,
    });
    if (values.json) printJson(io, r);
    else if (r.dry_run) {
      io.stdout(`${(r.would_import ?? []).join("\n")}\n`);
      io.stderr(`dry run: ${(r.would_import ?? []).length} secret(s) would be written`);
    } else {
      io.stdout(`${(r.paths ?? []).join("\n")}\n`);
      io.stderr(`Imported ${r.imported_count} secret(s)`);
    }
    return EXIT.ok;
  },
};

export const secrets = group("secrets", "Read, write, list, delete and import secrets", [
  get,
  put,
  ls,
  rm,
  importEnv,
]);
