// MCP servers (issue 12's UI): register the server tests' stdio upstream (bundled with the SDK into a
// world-readable directory the sandbox is given read-only), with a vault secret in its environment;
// test it, hide one tool, rename another, change the filters (per server and global), and delete it.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../env";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { putSecret } from "./support/vault";

const FIXTURE = join(REPO_ROOT, "apps/server/test/fixtures/mcp-stdio-server.ts");

interface Tool {
  name: string;
  exposed_name: string;
  hidden: boolean;
  rename: string | null;
}
interface Filters {
  filters: Record<string, { mode: string }>;
}

let dir = "";
let script = "";

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gh-e2e-mcp-"));
  chmodSync(dir, 0o755);
  const built = spawnSync("bun", ["build", FIXTURE, "--target", "bun", "--outdir", dir], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
  script = join(dir, "mcp-stdio-server.js");
  chmodSync(script, 0o644);
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("mcp servers: register a stdio upstream, test it, manage its tools and filters", async ({
  adminPage: page,
  adminApi,
}) => {
  test.setTimeout(90_000);
  const errors = collectConsoleErrors(page);
  const name = unique("e2e-mcp").toLowerCase();
  const secretPath = `e2e/${unique("mcp")}/token`;
  const secretValue = `mcp-upstream-${unique("v")}`;
  await putSecret(adminApi, secretPath, secretValue);
  const before = await ok<Filters>(adminApi.get("/v1/mcp/filters"));

  await page.goto("/mcp-servers");
  await expect(page.getByRole("heading", { level: 1, name: "MCP servers" })).toBeVisible();

  // Register: a bad name is refused in the form; then the real one.
  await page.getByRole("button", { name: "Register server" }).click();
  const create = page.getByRole("dialog", { name: "Register an MCP server" });
  await create.getByLabel("Name").fill("Bad_Name");
  await create.getByRole("button", { name: "Register server" }).click();
  await expect(create.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(create.getByLabel("Command")).toHaveAttribute("aria-invalid", "true");
  await create.getByLabel("Name").fill(name);
  await create.getByLabel("Transport").selectOption("stdio");
  await create.getByLabel("Description").fill("The gateway tests' fixture server");
  await create.getByLabel("Command").fill("bun");
  await create.getByLabel("Arguments").fill(script);
  await create.getByLabel("Environment").fill(`TOKEN={{secret:${secretPath}}}\nMODE=test`);
  await create.getByLabel("Read-only paths").fill(dir);
  await create.getByRole("button", { name: "Register server" }).click();
  await expect(create).toBeHidden();

  await expect(page).toHaveURL(new RegExp(`/mcp-servers\\?server=${name}$`));
  const detail = page.getByRole("region", { name, exact: true });
  await expect(detail.getByRole("heading", { name, exact: true })).toBeVisible();
  await expect(detail).toContainText(secretPath);
  await expect(detail).toContainText("TOKEN");
  const list = page.getByRole("navigation", { name: "MCP servers list" });
  await expect(list.getByRole("link", { name: new RegExp(name) })).toBeVisible();

  // Test: the server starts in its sandbox and lists its tools.
  await detail.getByRole("button", { name: "Test server" }).click();
  await expect(detail.getByRole("status").filter({ hasText: /tools listed/ })).toBeVisible({
    timeout: 30_000,
  });
  const tools = detail.getByRole("region", { name: /Tools/ });
  await expect(tools.getByRole("row", { name: "Tool echo" })).toContainText(`${name}__echo`);
  await expect(tools.getByRole("row", { name: "Tool crash" })).toBeVisible();
  await expect(list.getByRole("link", { name: new RegExp(name) })).toContainText("running");

  // Hide one tool.
  const crashSwitch = tools.getByLabel("Visible to agents: crash");
  await expect(crashSwitch).toBeChecked();
  await crashSwitch.click();
  await expect(crashSwitch).not.toBeChecked();
  // Rename and re-describe another.
  await tools.getByRole("button", { name: "Edit tool echo" }).click();
  const toolDialog = page.getByRole("dialog", { name: "Tool echo" });
  await expect(toolDialog).toContainText("Returns its text argument.");
  await toolDialog.getByLabel("Exposed name").fill("say");
  await toolDialog.getByLabel("Description for agents").fill("Repeats the text it is given.");
  await toolDialog.getByRole("button", { name: "Save tool" }).click();
  await expect(toolDialog).toBeHidden();
  const echoRow = tools.getByRole("row", { name: "Tool echo" });
  await expect(echoRow).toContainText(`${name}__say`);
  await expect(echoRow).toContainText("renamed from echo");
  await expect(echoRow).toContainText("Repeats the text it is given.");

  const listed = await ok<{ tools: Tool[] }>(adminApi.get(`/v1/mcp/servers/${name}/tools`));
  expect(listed.tools.find((t) => t.name === "crash")?.hidden).toBe(true);
  expect(listed.tools.find((t) => t.name === "echo")).toMatchObject({
    rename: "say",
    exposed_name: `${name}__say`,
    hidden: false,
  });

  // This server's filters: PII blocked here, the rest inherit.
  const serverFilters = detail.getByRole("region", { name: `Filters for ${name}` });
  await expect(serverFilters.getByLabel("Personal data (PII)")).toHaveValue("inherit");
  await serverFilters.getByLabel("Personal data (PII)").selectOption("block");
  await serverFilters.getByRole("button", { name: "Save server filters" }).click();
  await expect(serverFilters).toContainText("personal data (pii) block");
  const view = await ok<{ filters: Record<string, { mode: string }>; effective_filters: Filters["filters"] }>(
    adminApi.get(`/v1/mcp/servers/${name}`),
  );
  expect(view.filters).toEqual({ pii: { mode: "block" } });
  expect(view.effective_filters.secrets?.mode).toBe(before.filters.secrets?.mode);

  // Global filters: prompt injection to audit only.
  const global = page.getByRole("region", { name: "Global filters" });
  const next = before.filters.injection?.mode === "audit" ? "block" : "audit";
  await global.getByLabel("Prompt injection").selectOption(next);
  await global.getByRole("button", { name: "Save global filters" }).click();
  await expect(global.getByRole("button", { name: "Save global filters" })).toBeDisabled();
  const after = await ok<Filters>(adminApi.get("/v1/mcp/filters"));
  expect(after.filters.injection?.mode).toBe(next);
  await expect(serverFilters).toContainText(`prompt injection ${next === "audit" ? "audit only" : "block"}`);

  // Nothing on the page shows the injected secret.
  await expect(detail.getByRole("region", { name: "Recent calls" })).toContainText("No calls yet.");
  expect(await page.content()).not.toContain(secretValue);

  // 390 px, dark theme: the page stays inside the screen.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(detail.getByRole("button", { name: "Test server" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Delete.
  await detail.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: `Delete ${name}?` });
  await confirm.getByRole("button", { name: "Delete server" }).click();
  await expect(confirm).toBeHidden();
  await expect(page).toHaveURL(/\/mcp-servers$/);
  await expect(list.getByRole("link", { name: new RegExp(name) })).toHaveCount(0);
  expect((await adminApi.get(`/v1/mcp/servers/${name}`)).status()).toBe(404);

  await ok(adminApi.put("/v1/mcp/filters", { data: before.filters }));
  expect(errors).toEqual([]);
});
