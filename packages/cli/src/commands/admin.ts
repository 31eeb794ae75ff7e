import { help, parse, positionals } from "../args";
import { HOST_OPTIONS, HOST_USAGE, openVault } from "../host/vault";
import { CliError, EXIT } from "../io";
import { printJson } from "../output";
import { group, type Sub } from "./group";

const RESET_USAGE = `Usage: gatehouse admin reset-2fa <username> [options]

Lock-out recovery, run on the vault's host: turns off a user's TOTP and recovery codes, ends their
sessions and tokens, and (with --enable) re-enables a disabled account. It opens the database with the
master key (so it can only run where the key is), works while the server runs, and is audited as
user.totp.reset by host:<your OS user>. The user signs in with their password and enrolls TOTP again.

Options:
  --enable                  Also re-enable the account
${HOST_USAGE}`;

const reset2fa: Sub = {
  name: "reset-2fa",
  summary: "Turn off a locked-out user's TOTP on the host (audited)",
  async run(args, io) {
    const { values, positionals: rest } = parse(
      args,
      { ...HOST_OPTIONS, enable: { type: "boolean" } },
      RESET_USAGE,
    );
    if (values.help) return help(io, RESET_USAGE);
    const [username] = positionals(rest, ["<username>"], RESET_USAGE) as [string];
    const vault = await openVault(io.env, values, { mustExist: true });
    try {
      const { resetTotp, HostError } = await import("@gatehouse/server/ops/host");
      const result = await resetTotp(vault.store, vault.record, username, { enable: values.enable }).catch(
        (e) => {
          throw e instanceof HostError ? new CliError(e.message) : e;
        },
      );
      if (values.json) printJson(io, { reset: true, ...result, by: vault.identity });
      else
        io.stderr(
          `Two-factor sign-in is off for ${result.username} (${result.sessions_ended} session(s) ended${
            result.enabled ? "" : "; the account is still disabled: add --enable"
          }). Audited as ${vault.identity}.`,
        );
      return EXIT.ok;
    } finally {
      await vault.close();
    }
  },
};

export const admin = group("admin", "Host-side recovery tools (run where the master key is)", [reset2fa]);
