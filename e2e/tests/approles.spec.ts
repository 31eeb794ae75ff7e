import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";

test("create an AppRole, read its credentials once, and onboard an agent with a one-time link", async ({
  adminPage: page,
  adminApi,
  request,
  context,
}) => {
  const errors = collectConsoleErrors(page);
  const policy = unique("agent-read");
  await ok(
    adminApi.post("/v1/policy", {
      data: { name: policy, rules: [{ paths: ["secret/agents/**"], capabilities: ["read", "list"] }] },
    }),
  );
  const name = unique("deploy-agent");

  await page.goto("/approles");
  await page.getByRole("button", { name: "New AppRole" }).click();
  const create = page.getByRole("dialog", { name: "New AppRole" });
  await create.getByLabel("Name").fill(name);
  await create.getByLabel(policy).check();
  // CIDRs are checked in the browser with core's parser before anything is sent.
  await create.getByLabel("IP allowlist").fill("127.0.0.1/32\n10.0.0.0/33");
  await expect(create.getByText('entry 2 "10.0.0.0/33" is not a valid CIDR')).toBeVisible();
  await create.getByLabel("IP allowlist").fill("127.0.0.1/32\n::1");
  await expect(create.getByText("is not a valid CIDR")).toHaveCount(0);
  await create.getByRole("button", { name: "Create AppRole" }).click();

  const credentials = page.getByRole("dialog", { name: `Credentials for ${name}` });
  await expect(credentials).toBeVisible();
  const roleId = await credentials.getByLabel("Role ID").inputValue();
  const secretId = await credentials.getByLabel("Secret ID").inputValue();
  expect(roleId).toMatch(/^role-/);
  expect(secretId.length).toBeGreaterThan(16);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await credentials.getByRole("button", { name: "Copy secret id" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secretId);
  const login = await ok<{ token: string; policies: string[] }>(
    request.post("/v1/auth/approle/login", { data: { role_id: roleId, secret_id: secretId } }),
  );
  expect(login.policies).toEqual([policy]);
  await credentials.getByRole("button", { name: "Done" }).click();
  await expect(credentials).toBeHidden();

  const row = page.getByRole("row", { name });
  await expect(row).toContainText(roleId);
  await expect(row).toContainText(policy);
  await expect(row).toContainText("127.0.0.1/32");
  await expect(row).toContainText("Active");

  // Onboarding prompt: a one-time link inside a ready-to-paste prompt.
  await row.getByRole("button", { name: `Onboard ${name}` }).click();
  const onboard = page.getByRole("dialog", { name: `Onboarding prompt for ${name}` });
  await onboard.getByLabel("Link expires after").selectOption({ label: "5 minutes" });
  await onboard.getByLabel("Label").fill("e2e agent");
  await onboard.getByRole("button", { name: "Create link and prompt" }).click();
  await expect(onboard.getByLabel("Prompt for the agent")).toBeVisible();
  const prompt = await onboard.getByLabel("Prompt for the agent").inputValue();
  expect(prompt).toContain(name);
  const url = /https?:\/\/\S+\/v1\/onboard\/[\w.~-]+/.exec(prompt)?.[0];
  expect(url, prompt).toBeTruthy();
  await onboard.getByRole("button", { name: "Copy prompt for the agent" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(prompt);
  await expect(onboard.getByRole("listitem").filter({ hasText: "e2e agent" })).toContainText("active");

  // The agent's side: the document renders until the link is exchanged, which works once.
  const link = new URL(url ?? "").pathname;
  const doc = await request.get(link);
  expect(doc.status()).toBe(200);
  expect(doc.headers()["content-type"]).toContain("text/markdown");
  expect(await doc.text()).toContain(roleId);
  const exchanged = await ok<{ token: string; role_id: string; secret_id: string }>(
    request.post(`${link}/exchange`),
  );
  expect(exchanged.token.length).toBeGreaterThan(20);
  expect(exchanged.role_id).toBe(roleId);
  expect(exchanged.secret_id).not.toBe(secretId);
  expect((await request.post(`${link}/exchange`)).status()).toBe(410);
  expect((await request.get(link)).status()).toBe(410);
  // The exchange rotated the secret: the one from the modal is dead, the new one works.
  expect(
    (
      await request.post("/v1/auth/approle/login", { data: { role_id: roleId, secret_id: secretId } })
    ).status(),
  ).toBe(401);
  await ok(
    request.post("/v1/auth/approle/login", { data: { role_id: roleId, secret_id: exchanged.secret_id } }),
  );

  await onboard.getByRole("button", { name: "Close dialog" }).click();
  await row.getByRole("button", { name: `Onboard ${name}` }).click();
  await expect(page.getByRole("dialog").getByRole("listitem").filter({ hasText: "e2e agent" })).toContainText(
    "consumed",
  );
  expect(errors).toEqual([]);
});

test("edit CIDRs, suspend, reinstate, rotate the secret and delete an AppRole", async ({
  adminPage: page,
  adminApi,
  request,
}) => {
  const name = unique("lifecycle-agent");
  const created = await ok<{ role_id: string; secret_id: string }>(
    adminApi.post("/v1/auth/approle", { data: { display_name: name, policies: ["admin"] } }),
  );
  const loginWith = (secret_id: string) =>
    request.post("/v1/auth/approle/login", { data: { role_id: created.role_id, secret_id } });

  await page.goto("/approles");
  const row = page.getByRole("row", { name });
  await expect(row).toContainText("Any address");

  await row.getByRole("button", { name: `Edit ${name}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${name}` });
  await edit.getByLabel("IP allowlist").fill("300.1.2.3");
  await expect(edit.getByLabel("IP allowlist")).toHaveAttribute("aria-invalid", "true");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeVisible(); // nothing was sent
  await edit.getByLabel("IP allowlist").fill("127.0.0.0/8, 192.168.0.0/16");
  await edit.getByLabel("Token lifetime").selectOption({ label: "15m 0s" });
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText("192.168.0.0/16");
  await expect(row).toContainText("15m 0s");

  await row.getByRole("button", { name: `Suspend ${name}` }).click();
  await expect(row).toContainText("Suspended");
  expect((await loginWith(created.secret_id)).status()).toBe(403);
  await row.getByRole("button", { name: `Reinstate ${name}` }).click();
  await expect(row).toContainText("Active");
  await ok(loginWith(created.secret_id));

  await row.getByRole("button", { name: `Rotate secret ${name}` }).click();
  await page
    .getByRole("dialog", { name: `Rotate the secret ID of ${name}?` })
    .getByRole("button", { name: "Rotate secret ID" })
    .click();
  const rotated = page.getByRole("dialog", { name: `New secret ID for ${name}` });
  const newSecret = await rotated.getByLabel("Secret ID").inputValue();
  expect(newSecret).not.toBe(created.secret_id);
  await rotated.getByRole("button", { name: "Done" }).click();
  await ok(loginWith(newSecret));

  await row.getByRole("button", { name: `Delete ${name}` }).click();
  await page
    .getByRole("dialog", { name: `Delete ${name}?` })
    .getByRole("button", { name: "Delete AppRole" })
    .click();
  await expect(row).toHaveCount(0);
  expect((await loginWith(newSecret)).status()).toBe(401);
});
