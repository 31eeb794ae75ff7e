// "Connect your agent" on the AppRoles page (issue 11): copyable MCP client configurations that use
// this server's address and the chosen AppRole's role_id, never a credential.
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { createPolicy } from "./support/vault";

test("connect your agent: Claude Code, Cursor, Codex and stdio bridge snippets", async ({
  adminPage: page,
  adminApi,
  baseURL,
  context,
}) => {
  const errors = collectConsoleErrors(page);
  const name = unique("connect-bot");
  const policy = await createPolicy(adminApi, [{ paths: ["e2e/connect/**"], capabilities: ["read"] }]);
  const role = await ok<{ role_id: string; secret_id: string }>(
    adminApi.post("/v1/auth/approle", { data: { display_name: name, policies: [policy] } }),
  );

  await page.goto("/approles");
  const panel = page.getByRole("region", { name: "Connect your agent" });
  await expect(panel).toContainText(`${baseURL}/v1/mcp`);
  const tabs = panel.getByRole("tablist", { name: "MCP client" });
  const snippet = panel.getByRole("tabpanel");

  await expect(tabs.getByRole("tab", { name: "Claude Code" })).toHaveAttribute("aria-selected", "true");
  await expect(snippet).toContainText(
    `claude mcp add --transport http gatehouse ${baseURL}/v1/mcp --header "Authorization: Bearer $GATEHOUSE_TOKEN"`,
  );
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await snippet.getByRole("button", { name: "Copy claude mcp add command" }).click();
  await expect(snippet.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`gatehouse ${baseURL}/v1/mcp`);

  await tabs.getByRole("tab", { name: "Cursor" }).click();
  await expect(snippet).toContainText(`"url": "${baseURL}/v1/mcp"`);
  // Cursor's own `${env:NAME}` syntax, not a template literal.
  await expect(snippet).toContainText(["Bearer $", "{env:GATEHOUSE_TOKEN}"].join(""));
  await tabs.getByRole("tab", { name: "Codex" }).click();
  await expect(snippet).toContainText('bearer_token_env_var = "GATEHOUSE_TOKEN"');

  // The bridge, filled in with the chosen AppRole's role_id; the secret_id stays a variable.
  await tabs.getByRole("tab", { name: "Stdio bridge" }).click();
  await expect(snippet).toContainText(`gatehouse mcp --url ${baseURL} --role-id <role_id>`);
  await panel.getByLabel("AppRole").selectOption({ label: name });
  await expect(snippet).toContainText(
    `gatehouse mcp --url ${baseURL} --role-id ${role.role_id} --secret-id "$GATEHOUSE_SECRET_ID"`,
  );
  await expect(snippet).toContainText(`"GATEHOUSE_ROLE_ID": "${role.role_id}"`);
  expect(await page.content()).not.toContain(role.secret_id);
  expect(errors).toEqual([]);
});
