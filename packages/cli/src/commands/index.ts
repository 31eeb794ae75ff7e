import { mcp } from "./mcp";
import type { Command } from "./types";

export const COMMANDS: readonly Command[] = [mcp];

export const findCommand = (name: string) => COMMANDS.find((c) => c.name === name);
