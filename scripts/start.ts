// `bun run start`: install, build the SPA, then run the server in dev mode on embedded SQLite.
import { join } from "node:path";
import { ROOT, step } from "./lib";

for (const [name, cmd, cwd] of [
  ["install", ["bun", "install"], ROOT],
  ["build web", ["bun", "run", "build"], join(ROOT, "apps/web")],
] as const) {
  const r = await step(name, [...cmd], { cwd });
  if (!r.ok) process.exit(1);
}
const server = Bun.spawn(["bun", join(ROOT, "apps/server/src/main.ts")], {
  cwd: ROOT,
  env: { GATEHOUSE_ENV: "development", ...process.env },
  stdio: ["inherit", "inherit", "inherit"],
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => server.kill(sig));
process.exit(await server.exited);
