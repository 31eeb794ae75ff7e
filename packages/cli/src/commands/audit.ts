import { CLIENT_OPTIONS, CLIENT_USAGE, help, parse, positionals } from "../args";
import { clientFor } from "../client";
import { HOST_OPTIONS, HOST_USAGE, openVault } from "../host/vault";
import { EXIT } from "../io";
import { printJson } from "../output";
import { group, type Sub } from "./group";

type Verified = {
  ok: boolean;
  checked: number;
  from_seq: number;
  head_seq: number;
  first_broken?: { seq: number; reason: string };
};

const VERIFY_USAGE = `Usage: gatehouse audit verify [--offline] [options]

Verifies the audit log's HMAC chain from the latest signed checkpoint. By default the server does it
(global admin); with --offline it runs on the host against the database and the master key, without
trusting a running server. Exit code 0 when the chain is intact, 1 when an entry was altered, removed
or inserted (the first broken entry is named).

Options:
  --offline                 Verify on the host (needs the master key)
Server options:
${CLIENT_USAGE}
Host options (with --offline):
${HOST_USAGE}`;

const verify: Sub = {
  name: "verify",
  summary: "Verify the audit chain (on the server, or --offline on the host)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...CLIENT_OPTIONS, ...HOST_OPTIONS, offline: { type: "boolean" } },
      VERIFY_USAGE,
    );
    if (values.help) return help(io, VERIFY_USAGE);
    positionals(rest, [], VERIFY_USAGE);
    let result: Verified;
    let where: string;
    if (values.offline) {
      const vault = await openVault(io.env, values, { mustExist: true });
      try {
        const { verifyChain } = await import("@gatehouse/server/audit/writer");
        result = await verifyChain(vault.store, vault.keys.auditKey);
        where = vault.target.label;
      } finally {
        await vault.close();
      }
    } else {
      const client = clientFor(values, io);
      result = await client.post<Verified>("/v1/audit/verify");
      where = client.url;
    }
    if (values.json) printJson(io, result);
    else if (result.ok)
      io.stdout(
        `ok: ${result.checked} entries verified (seq ${result.from_seq + 1}..${result.head_seq}) in ${where}\n`,
      );
    else
      io.stdout(
        `BROKEN at entry ${result.first_broken?.seq}: ${result.first_broken?.reason} (${result.checked} entries verified before it) in ${where}\n`,
      );
    return result.ok ? EXIT.ok : EXIT.failure;
  },
};

export const audit = group("audit", "Audit log tools", [verify]);
