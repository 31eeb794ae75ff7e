#!/usr/bin/env bun
// The `gatehouse` command. Results go to stdout; messages go to stderr (for `gatehouse mcp`, stdout
// carries only JSON-RPC).
import { main } from "./cli";
import { prompt, readStdin } from "./prompt";

const code = await main(process.argv.slice(2), {
  env: process.env,
  stderr: (line) => process.stderr.write(`${line}\n`),
  stdout: (text) => process.stdout.write(text),
  prompt,
  readStdin,
});
// Exit only once everything written to stdout and stderr has been flushed (pipes are asynchronous).
await Promise.all([
  new Promise((resolve) => process.stdout.write("", resolve)),
  new Promise((resolve) => process.stderr.write("", resolve)),
]);
process.exit(code);
