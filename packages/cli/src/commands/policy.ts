import { readFileSync } from "node:fs";
import { toDocument, validatePolicy } from "@gatehouse/core/policy";
import { CLIENT_OPTIONS, CLIENT_USAGE, help, parse, positionals, usageError } from "../args";
import { clientFor } from "../client";
import { CliError, EXIT } from "../io";
import { printJson, printTable } from "../output";
import { group, type Sub } from "./group";

type PolicyView = {
  name: string;
  source: string;
  rules: unknown[];
  active: boolean;
  file: string | null;
  changed_rules: { glob: string; message: string }[];
  referenced_by: { approles: unknown[]; users: string[] };
};

const LS_USAGE = `Usage: gatehouse policy ls [options]

Every policy with its source (builtin, yaml file, database) and who references it.

Options:
${CLIENT_USAGE}`;

const ls: Sub = {
  name: "ls",
  summary: "List policies",
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, LS_USAGE);
    if (values.help) return help(io, LS_USAGE);
    positionals(rest, [], LS_USAGE);
    const r = await clientFor(values, io).get<{ policies: PolicyView[]; conflicts: { message: string }[] }>(
      "/v1/policy",
    );
    if (values.json) printJson(io, r);
    else {
      printTable(
        io,
        ["NAME", "SOURCE", "RULES", "APPROLES", "USERS", "ACTIVE"],
        r.policies.map((p) => [
          p.name,
          p.file ? `${p.source}:${p.file}` : p.source,
          p.rules.length,
          p.referenced_by.approles.length,
          p.referenced_by.users.length,
          p.active ? "yes" : "no",
        ]),
      );
      for (const c of r.conflicts) io.stderr(`conflict: ${c.message}`);
    }
    return EXIT.ok;
  },
};

const APPLY_USAGE = `Usage: gatehouse policy apply <file>... [options]

Creates or replaces database policies from YAML or JSON files (one policy per file, "-" for stdin):

  name: ci-agent
  rules:
    - paths: ["ci/**"]
      capabilities: [read, lease]
      approval: { required: true, max_ttl: 900 }

Each file is validated before anything is sent. Globs whose meaning differs from Gatehouse's are
reported. Policies that come from YAML files in the server's config directory cannot be changed here.

Options:
  --dry-run   Validate only
${CLIENT_USAGE}`;

const apply: Sub = {
  name: "apply",
  summary: "Create or update policies from YAML/JSON files",
  async run(args, io) {
    const { values, positionals: files } = parse(
      args,
      { ...CLIENT_OPTIONS, "dry-run": { type: "boolean" } },
      APPLY_USAGE,
    );
    if (values.help) return help(io, APPLY_USAGE);
    if (files.length === 0) throw usageError("missing <file>", APPLY_USAGE);
    const docs = [];
    for (const file of files) {
      const text = file === "-" ? await io.readStdin() : readFileSync(file, "utf8");
      const format = /\.json$/i.test(file) ? "json" : "yaml";
      const { policy, errors } = validatePolicy(text, format);
      if (!policy || errors.length) {
        throw new CliError(
          `${file}: ${errors.map((e) => `${e.path ? `${e.path}: ` : ""}${e.message}`).join("; ")}`,
          EXIT.failure,
        );
      }
      docs.push({ file, doc: toDocument(policy) });
    }
    if (values["dry-run"]) {
      for (const d of docs) io.stderr(`${d.file}: policy "${d.doc.name}" is valid`);
      if (values.json) printJson(io, { valid: docs.map((d) => d.doc) });
      return EXIT.ok;
    }
    const client = clientFor(values, io);
    const results = [];
    for (const { doc } of docs) {
      const exists = await client.request("GET", `/v1/policy/${encodeURIComponent(doc.name)}`, {
        allow: [404],
      });
      const body = { ...(doc.description ? { description: doc.description } : {}), rules: doc.rules };
      const saved =
        exists.status === 404
          ? await client.post<PolicyView>("/v1/policy", { name: doc.name, ...body })
          : (await client.request<PolicyView>("PUT", `/v1/policy/${encodeURIComponent(doc.name)}`, { body }))
              .body;
      results.push({ name: doc.name, action: exists.status === 404 ? "created" : "updated", policy: saved });
      if (!values.json) {
        io.stderr(`${exists.status === 404 ? "Created" : "Updated"} policy ${doc.name}`);
        for (const c of saved.changed_rules ?? []) io.stderr(`  note: ${c.message}`);
      }
    }
    if (values.json) printJson(io, { applied: results });
    return EXIT.ok;
  },
};

const TEST_USAGE = `Usage: gatehouse policy test --capability <cap> --path <path> (--approle <role_id> | --user <name> | --policies <a,b>) [options]

What-if: would this identity be allowed? Prints the decision and the rule that decided it.
Exit code 0 when allowed (approval may still be required: shown), 1 when denied.

Options:
  --capability <cap>    read, write, delete, list, lease, proxy, call or admin
  --path <path>         A secret path (or mcp/<server>/<tool>)
  --approle <role_id>   Evaluate an AppRole's policies
  --user <username>     Evaluate a user's policies (their role's included)
  --policies <a,b>      Evaluate a bare list of policies
  --ip <address>        The client address (for auto_approve_from)
${CLIENT_USAGE}`;

const test: Sub = {
  name: "test",
  summary: "Simulate a policy decision (exit 0 allowed, 1 denied)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      {
        ...CLIENT_OPTIONS,
        capability: { type: "string" },
        path: { type: "string" },
        approle: { type: "string" },
        user: { type: "string" },
        policies: { type: "string" },
        ip: { type: "string" },
      },
      TEST_USAGE,
    );
    if (values.help) return help(io, TEST_USAGE);
    positionals(rest, [], TEST_USAGE);
    if (!values.capability || !values.path)
      throw usageError("--capability and --path are required", TEST_USAGE);
    const subjects = [values.approle, values.user, values.policies].filter(Boolean).length;
    if (subjects !== 1) throw usageError("give exactly one of --approle, --user and --policies", TEST_USAGE);
    const r = await clientFor(values, io).post<{
      identity: string;
      decision: {
        allowed: boolean;
        approval: string;
        max_ttl: number | null;
        reason: { policy: string | null; rule: number | null; message: string };
      };
    }>("/v1/policy/simulate", {
      capability: values.capability,
      path: values.path,
      ...(values.approle ? { approle: values.approle } : {}),
      ...(values.user ? { user: values.user } : {}),
      ...(values.policies
        ? {
            policies: values.policies
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
      ...(values.ip ? { ip: values.ip } : {}),
    });
    const d = r.decision;
    if (values.json) printJson(io, r);
    else {
      const where = d.reason.policy
        ? ` (policy ${d.reason.policy}${d.reason.rule !== null ? `, rule ${d.reason.rule}` : ""})`
        : "";
      const approval =
        d.allowed && d.approval !== "none"
          ? `; approval ${d.approval}${d.max_ttl ? `, max_ttl ${d.max_ttl}s` : ""}`
          : "";
      io.stdout(`${d.allowed ? "allowed" : "denied"}${approval}${where}: ${d.reason.message}\n`);
    }
    return d.allowed ? EXIT.ok : EXIT.failure;
  },
};

export const policy = group("policy", "List, apply and test policies", [ls, apply, test]);
