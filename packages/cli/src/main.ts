#!/usr/bin/env bun
// The `gatehouse` command. Messages go to stderr: stdout belongs to the command (MCP's JSON-RPC).
import { main } from "./cli";

const code = await main(process.argv.slice(2), {
  env: process.env,
  stderr: (line) => process.stderr.write(`${line}\n`),
});
process.exit(code);
