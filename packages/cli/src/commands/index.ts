import { admin } from "./admin";
import { approle } from "./approle";
import { audit } from "./audit";
import { backup, restore } from "./backup";
import { importCommand } from "./import";
import { lease } from "./lease";
import { login, logout, whoamiCommand } from "./login";
import { mcp } from "./mcp";
import { policy } from "./policy";
import { requests } from "./requests";
import { run } from "./run";
import { secrets } from "./secrets";
import type { Command } from "./types";

/** Client commands talk to a server; host commands (backup … admin) open the database on its host. */
export const COMMANDS: readonly Command[] = [
  login,
  logout,
  whoamiCommand,
  secrets,
  approle,
  policy,
  lease,
  requests,
  run,
  mcp,
  backup,
  restore,
  audit,
  admin,
  importCommand,
];

export const findCommand = (name: string) => COMMANDS.find((c) => c.name === name);
