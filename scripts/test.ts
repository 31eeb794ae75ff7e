// `bun run test`: lint, typecheck, unit, integration (SQLite and PostgreSQL), meta checks and e2e.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../apps/server/test/harness/postgres";
import {
  BWRAP,
  CHROMIUM,
  ensurePackages,
  MARIADB,
  POSTGRES,
  REDIS,
  ROOT,
  SSH_CLIENT,
  SSHD,
  type StepResult,
  step,
} from "./lib";

await ensurePackages([POSTGRES, CHROMIUM, MARIADB, REDIS, SSHD, SSH_CLIENT, BWRAP]);
const results: StepResult[] = [];
const run = async (...args: Parameters<typeof step>) => {
  const r = await step(...args);
  results.push(r);
  return r;
};

await run("install", ["bun", "install", "--frozen-lockfile"]);
await run("build web", ["bun", "run", "build"], { cwd: join(ROOT, "apps/web") });
await run("lint", ["bun", "run", "lint"]);
await run("typecheck", ["bun", "run", "typecheck"]);

const out = mkdtempSync(join(tmpdir(), "gh-suite-"));
const pg = await startPostgres();
try {
  const env = { GATEHOUSE_TEST_OUT: out, GATEHOUSE_TEST_PG_URL: pg.url("postgres") };
  await run("core tests", ["bun", "test"], { cwd: join(ROOT, "packages/core") });
  await run("server tests (SQLite + PostgreSQL)", ["bun", "test", "--timeout", "60000"], {
    cwd: join(ROOT, "apps/server"),
    env,
  });
  // The real `gatehouse` binary (every command, the mcp bridge, host tools) against the server harness.
  await run("cli tests (gatehouse against a real server)", ["bun", "test", "--timeout", "60000"], {
    cwd: join(ROOT, "packages/cli"),
    env,
  });
  await run("meta checks (route coverage, canary)", ["bun", "test/meta/check-suite.ts"], {
    cwd: join(ROOT, "apps/server"),
    env,
  });
} finally {
  pg.stop();
}
// A real server process on loopback under mixed load: zero errors and flat memory (long form: bun run soak).
await run("soak (20 s)", ["bun", "scripts/soak.ts", "--duration=20"]);
await run("e2e (Chromium)", ["bunx", "playwright", "test"], { cwd: join(ROOT, "e2e") });

let passed = 0;
let failed = 0;
for (const r of results) {
  for (const m of r.output.matchAll(/^\s*(\d+) pass(?:ed)?\b/gm)) passed += Number(m[1]);
  for (const m of r.output.matchAll(/^\s*(\d+) fail(?:ed)?\b/gm)) failed += Number(m[1]);
}
console.log("\nSuite times:");
for (const r of results) console.log(`  ${r.ok ? "ok  " : "FAIL"} ${r.name.padEnd(40)} ${r.seconds}s`);
const stepFailures = results.filter((r) => !r.ok).length;
if (stepFailures > 0 && failed === 0) failed = stepFailures;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(stepFailures > 0 ? 1 : 0);
