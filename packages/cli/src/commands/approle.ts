import { CLIENT_OPTIONS, CLIENT_USAGE, help, intOption, parse, positionals, usageError } from "../args";
import { clientFor } from "../client";
import { EXIT } from "../io";
import { ago, printJson, printTable } from "../output";
import { group, type Sub } from "./group";

type Role = {
  role_id: string;
  display_name: string;
  policies: string[];
  suspended: boolean;
  ip_allowlist: string[];
  token_ttl_seconds: number;
  last_used: string | null;
};

const CREATE_USAGE = `Usage: gatehouse approle create --name <name> --policy <policy> [options]

Creates an AppRole for an agent. Its role_id and secret_id are printed once (the secret_id is never
shown again: use \`gatehouse approle onboard\` to hand the agent a one-time link instead).

Options:
  --name <name>          Display name
  --policy <name>        A policy (repeatable; at least one)
  --cidr <cidr>          Allow logins and use only from these addresses (repeatable)
  --token-ttl <seconds>  Lifetime of its tokens (60-86400)
${CLIENT_USAGE}`;

const create: Sub = {
  name: "create",
  summary: "Create an AppRole (prints role_id and secret_id once)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      {
        ...CLIENT_OPTIONS,
        name: { type: "string" },
        policy: { type: "string", multiple: true },
        cidr: { type: "string", multiple: true },
        "token-ttl": { type: "string" },
      },
      CREATE_USAGE,
    );
    if (values.help) return help(io, CREATE_USAGE);
    positionals(rest, [], CREATE_USAGE);
    if (!values.name) throw usageError("--name is required", CREATE_USAGE);
    if (!values.policy?.length) throw usageError("at least one --policy is required", CREATE_USAGE);
    const ttl = intOption(values["token-ttl"], "token-ttl", CREATE_USAGE);
    const client = clientFor(values, io);
    const r = await client.post<Role & { secret_id: string }>("/v1/auth/approle", {
      display_name: values.name,
      policies: values.policy,
      ...(values.cidr ? { ip_allowlist: values.cidr } : {}),
      ...(ttl ? { token_ttl_seconds: ttl } : {}),
    });
    if (values.json) printJson(io, r);
    else {
      io.stdout(`role_id    ${r.role_id}\nsecret_id  ${r.secret_id}\n`);
      io.stderr("The secret_id is shown only now. Give it to the agent through a secure channel.");
    }
    return EXIT.ok;
  },
};

const LS_USAGE = `Usage: gatehouse approle ls [options]

Options:
${CLIENT_USAGE}`;

const ls: Sub = {
  name: "ls",
  summary: "List AppRoles",
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, LS_USAGE);
    if (values.help) return help(io, LS_USAGE);
    positionals(rest, [], LS_USAGE);
    const r = await clientFor(values, io).get<{ roles: Role[] }>("/v1/auth/approle");
    if (values.json) printJson(io, r);
    else
      printTable(
        io,
        ["ROLE_ID", "NAME", "POLICIES", "SUSPENDED", "CIDRS", "LAST USED"],
        r.roles.map((x) => [
          x.role_id,
          x.display_name,
          x.policies.join(","),
          x.suspended ? "yes" : "no",
          x.ip_allowlist.join(",") || "any",
          ago(x.last_used),
        ]),
        "(no AppRoles)",
      );
    return EXIT.ok;
  },
};

const ROTATE_USAGE = `Usage: gatehouse approle rotate <role_id> [options]

Issues a new secret_id; the old one and every token issued with it stop working at once.

Options:
${CLIENT_USAGE}`;

const rotate: Sub = {
  name: "rotate",
  summary: "Issue a new secret_id (the old one stops working)",
  async run(args, io) {
    const { values, positionals: rest } = parse(args, CLIENT_OPTIONS, ROTATE_USAGE);
    if (values.help) return help(io, ROTATE_USAGE);
    const [id] = positionals(rest, ["<role_id>"], ROTATE_USAGE) as [string];
    const r = await clientFor(values, io).post<{ role_id: string; secret_id: string }>(
      `/v1/auth/approle/${encodeURIComponent(id)}/rotate-secret`,
    );
    if (values.json) printJson(io, r);
    else io.stdout(`role_id    ${r.role_id}\nsecret_id  ${r.secret_id}\n`);
    return EXIT.ok;
  },
};

const ONBOARD_USAGE = `Usage: gatehouse approle onboard <role_id> [options]

Creates a one-time onboarding link: the agent opens it, reads its bootstrap document and exchanges
it for fresh credentials (which rotates the secret_id). Prints the link.

Options:
  --ttl <seconds>   How long the link stays valid (60-3600, default 900)
  --label <text>    A note shown in the link list
${CLIENT_USAGE}`;

const onboard: Sub = {
  name: "onboard",
  summary: "Create a one-time onboarding link for an agent",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, ttl: { type: "string" }, label: { type: "string" } },
      ONBOARD_USAGE,
    );
    if (values.help) return help(io, ONBOARD_USAGE);
    const [id] = positionals(rest, ["<role_id>"], ONBOARD_USAGE) as [string];
    const ttl = intOption(values.ttl, "ttl", ONBOARD_USAGE);
    const r = await clientFor(values, io).post<{ onboard_url: string; expires_at: string; id: string }>(
      "/v1/onboard",
      {
        role_id: id,
        ...(ttl ? { ttl_seconds: ttl } : {}),
        ...(values.label ? { label: values.label } : {}),
      },
    );
    if (values.json) printJson(io, r);
    else {
      io.stdout(`${r.onboard_url}\n`);
      io.stderr(`One-time link ${r.id}, valid until ${r.expires_at}. Paste it to the agent.`);
    }
    return EXIT.ok;
  },
};

export const approle = group("approle", "Manage AppRoles (agent identities)", [create, ls, rotate, onboard]);
