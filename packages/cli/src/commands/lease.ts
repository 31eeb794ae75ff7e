import { CLIENT_OPTIONS, CLIENT_USAGE, help, intOption, parse, positionals } from "../args";
import { clientFor, encodePath } from "../client";
import { EXIT } from "../io";
import { ago, printJson, printTable } from "../output";
import { group, type Sub } from "./group";
import { printValue, VALUE_OPTIONS, withApproval } from "./read";

type Lease = { id: string; secret_path: string; ttl_seconds: number; expires_at: string };
type Checkout = { lease: Lease; value: string };

const GET_USAGE = `Usage: gatehouse lease get <path> [options]

Leases a static secret: prints its value to stdout and the lease id and expiry to stderr.

Options:
  --ttl <seconds>   Lease lifetime (10-86400, default 300)
  --reason <text>   Shown to the approver when the lease needs approval
  --wait <seconds>  When it needs approval, wait this long for a human (else exit 4); the lease's
                    TTL starts at approval
  --no-newline      Print the value without a trailing newline
${CLIENT_USAGE}`;

const get: Sub = {
  name: "get",
  summary: "Lease a secret (value on stdout, lease id on stderr)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...VALUE_OPTIONS, ttl: { type: "string" } },
      GET_USAGE,
    );
    if (values.help) return help(io, GET_USAGE);
    const [path] = positionals(rest, ["<path>"], GET_USAGE) as [string];
    const ttl = intOption(values.ttl, "ttl", GET_USAGE);
    const wait = intOption(values.wait, "wait", GET_USAGE);
    const client = clientFor(values, io);
    const out = await withApproval<Checkout>(
      client,
      wait,
      io,
      () =>
        client.post<Checkout>(`/v1/lease/${encodePath(path)}`, {
          ...(ttl ? { ttl } : {}),
          ...(values.reason ? { reason: values.reason } : {}),
        }),
      // An approved lease request carries the lease and its value (collect it from the request).
      (r) =>
        typeof r.value === "string" && r.lease ? ({ lease: r.lease, value: r.value } as Checkout) : undefined,
    );
    printValue(io, values, out);
    if (!values.json) io.stderr(`lease ${out.lease.id} expires ${out.lease.expires_at}`);
    return EXIT.ok;
  },
};

const RENEW_USAGE = `Usage: gatehouse lease renew <lease_id> [options]

Options:
  --ttl <seconds>   New lifetime from now (default: the lease's TTL)
${CLIENT_USAGE}`;

const renew: Sub = {
  name: "renew",
  summary: "Extend a lease",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, ttl: { type: "string" } },
      RENEW_USAGE,
    );
    if (values.help) return help(io, RENEW_USAGE);
    const [id] = positionals(rest, ["<lease_id>"], RENEW_USAGE) as [string];
    const ttl = intOption(values.ttl, "ttl", RENEW_USAGE);
    const r = await clientFor(values, io).post<{ lease: Lease }>(
      `/v1/lease/${encodeURIComponent(id)}/renew`,
      ttl ? { ttl } : {},
    );
    if (values.json) printJson(io, r);
    else io.stderr(`lease ${r.lease.id} now expires ${r.lease.expires_at}`);
    return EXIT.ok;
  },
};

const REVOKE_USAGE = `Usage: gatehouse lease revoke <lease_id> [options]

Options:
${CLIENT_USAGE}`;

const revoke: Sub = {
  name: "revoke",
  summary: "Revoke a lease",
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, REVOKE_USAGE);
    if (values.help) return help(io, REVOKE_USAGE);
    const [id] = positionals(rest, ["<lease_id>"], REVOKE_USAGE) as [string];
    const r = await clientFor(values, io).request<{ id: string }>(
      "DELETE",
      `/v1/lease/${encodeURIComponent(id)}`,
    );
    if (values.json) printJson(io, r.body);
    else io.stderr(`Revoked lease ${r.body.id}`);
    return EXIT.ok;
  },
};

const LS_USAGE = `Usage: gatehouse lease ls [options]

Active leases (global admins see everyone's, others their own).

Options:
  --all   Include expired and revoked leases
${CLIENT_USAGE}`;

const ls: Sub = {
  name: "ls",
  summary: "List leases",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, all: { type: "boolean" } },
      LS_USAGE,
    );
    if (values.help) return help(io, LS_USAGE);
    positionals(rest, [], LS_USAGE);
    const r = await clientFor(values, io).get<{
      leases: {
        id: string;
        kind: string;
        path: string;
        identity: string;
        expires_at: string;
        revoked: boolean;
        status?: string;
      }[];
    }>("/v1/lease", { query: values.all ? { include_expired: "true" } : {} });
    if (values.json) printJson(io, r);
    else
      printTable(
        io,
        ["LEASE", "KIND", "PATH", "IDENTITY", "EXPIRES", "STATE"],
        r.leases.map((l) => [
          l.id,
          l.kind,
          l.path,
          l.identity,
          ago(l.expires_at),
          l.status ?? (l.revoked ? "revoked" : "active"),
        ]),
        "(no leases)",
      );
    return EXIT.ok;
  },
};

export const lease = group("lease", "Lease secrets, renew and revoke leases", [get, renew, revoke, ls]);
