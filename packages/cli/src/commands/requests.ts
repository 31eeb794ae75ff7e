import { CLIENT_OPTIONS, CLIENT_USAGE, help, intOption, parse, positionals, usageError } from "../args";
import { clientFor, type RequestView } from "../client";
import { EXIT } from "../io";
import { ago, printJson, printTable } from "../output";
import { group, type Sub } from "./group";

const LS_USAGE = `Usage: gatehouse requests ls [options]

Approval requests: approvers and admins see everyone's, others their own.

Options:
  --status <s>   pending (default), approved, denied, expired or all
${CLIENT_USAGE}`;

const ls: Sub = {
  name: "ls",
  summary: "List approval requests (pending by default)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, status: { type: "string" } },
      LS_USAGE,
    );
    if (values.help) return help(io, LS_USAGE);
    positionals(rest, [], LS_USAGE);
    const status = values.status ?? "pending";
    if (!["pending", "approved", "denied", "expired", "all"].includes(status))
      throw usageError(`--status must be pending, approved, denied, expired or all`, LS_USAGE);
    const r = await clientFor(values, io).get<{
      requests: (RequestView & {
        identity: string;
        capability: string;
        created_at: string;
        reason: string | null;
        source_ip: string | null;
      })[];
    }>("/v1/requests", { query: status === "all" ? {} : { status } });
    if (values.json) printJson(io, r);
    else
      printTable(
        io,
        ["REQUEST", "STATUS", "IDENTITY", "CAPABILITY", "PATH", "FROM", "CREATED", "REASON"],
        r.requests.map((x) => [
          x.request_id,
          x.status,
          x.identity,
          x.capability,
          x.path,
          x.source_ip,
          ago(x.created_at),
          x.reason,
        ]),
        `(no ${status === "all" ? "" : `${status} `}requests)`,
      );
    return EXIT.ok;
  },
};

const APPROVE_USAGE = `Usage: gatehouse requests approve <request_id> [options]

Approves a pending request (never your own). A lease's TTL starts now.

Options:
  --ttl <seconds>   Shorten the TTL (at most the rule's max_ttl)
${CLIENT_USAGE}`;

const approve: Sub = {
  name: "approve",
  summary: "Approve a pending request",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, ttl: { type: "string" } },
      APPROVE_USAGE,
    );
    if (values.help) return help(io, APPROVE_USAGE);
    const [id] = positionals(rest, ["<request_id>"], APPROVE_USAGE) as [string];
    const ttl = intOption(values.ttl, "ttl", APPROVE_USAGE);
    const r = await clientFor(values, io).post<RequestView & { approved_ttl: number; identity: string }>(
      `/v1/requests/${encodeURIComponent(id)}/approve`,
      ttl ? { ttl } : {},
    );
    if (values.json) printJson(io, r);
    else io.stderr(`Approved ${r.request_id} (${r.identity} on ${r.path}) for ${r.approved_ttl} s`);
    return EXIT.ok;
  },
};

const DENY_USAGE = `Usage: gatehouse requests deny <request_id> --reason <text> [options]

Denies a pending request; the agent sees the reason.

Options:
  --reason <text>   Required
${CLIENT_USAGE}`;

const deny: Sub = {
  name: "deny",
  summary: "Deny a pending request with a reason",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, reason: { type: "string" } },
      DENY_USAGE,
    );
    if (values.help) return help(io, DENY_USAGE);
    const [id] = positionals(rest, ["<request_id>"], DENY_USAGE) as [string];
    if (!values.reason?.trim()) throw usageError("--reason is required", DENY_USAGE);
    const r = await clientFor(values, io).post<RequestView & { identity: string }>(
      `/v1/requests/${encodeURIComponent(id)}/deny`,
      { reason: values.reason.trim() },
    );
    if (values.json) printJson(io, r);
    else io.stderr(`Denied ${r.request_id} (${r.identity} on ${r.path})`);
    return EXIT.ok;
  },
};

export const requests = group("requests", "List, approve and deny approval requests", [ls, approve, deny]);
