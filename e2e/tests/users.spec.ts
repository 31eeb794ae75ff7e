import { generateSync } from "otplib";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, sessionApi, test } from "./support/fixtures";

test("users: create, disable, change role and policies, reset 2FA and delete", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  const errors = collectConsoleErrors(page);
  const username = unique("ada");
  const password = "analytical engine 1843";
  const policy = unique("ops-read");
  await ok(
    adminApi.post("/v1/policy", {
      data: { name: policy, rules: [{ paths: ["secret/ops/**"], capabilities: ["read"] }] },
    }),
  );

  await page.goto("/users");
  await page.getByRole("button", { name: "New user" }).click();
  const create = page.getByRole("dialog", { name: "New user" });
  await create.getByLabel("Username").fill(username);
  await create.getByLabel("Display name").fill("Ada Lovelace");
  await create.getByLabel("Email").fill("ada@example.test");
  await create.getByLabel("Role").selectOption("approver");
  await create.getByLabel(policy).check();
  await create.getByLabel("Password", { exact: true }).fill(password);
  await create.getByLabel("Confirm password").fill(password);
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(create).toBeHidden();

  const row = page.getByRole("row", { name: username });
  await expect(row).toContainText("Ada Lovelace");
  await expect(row).toContainText("approver");
  await expect(row).toContainText(policy);
  await expect(row.getByText("Off", { exact: true })).toBeVisible();

  // The user enrols TOTP on their own (through the API here); the admin sees it.
  const ada = await sessionApi(playwright, baseURL ?? "", { username, password });
  const { secret } = await ok<{ secret: string }>(ada.post("/v1/me/totp/setup"));
  await ok(ada.post("/v1/me/totp/verify", { data: { code: generateSync({ secret }) } }));
  await page.reload();
  await expect(row.getByText("On", { exact: true })).toBeVisible();
  await expect(row).toContainText("10 recovery codes left");

  // Disabling ends the user's sessions at once.
  const enabled = row.getByRole("switch", { name: `Sign-in enabled for ${username}` });
  await expect(enabled).toBeChecked();
  await enabled.uncheck();
  await expect(enabled).not.toBeChecked();
  expect((await ada.get("/v1/me")).status()).toBe(401);
  await enabled.check();
  await expect(enabled).toBeChecked();

  await row.getByRole("button", { name: `Edit ${username}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${username}` });
  await expect(edit.getByLabel("Display name")).toHaveValue("Ada Lovelace");
  await edit.getByLabel("Role").selectOption("viewer");
  await edit.getByLabel(policy).uncheck();
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(row).toContainText("viewer");
  await expect(row).not.toContainText(policy);

  await row.getByRole("button", { name: `Reset 2FA for ${username}` }).click();
  await page
    .getByRole("dialog", { name: `Reset two-factor for ${username}?` })
    .getByRole("button", { name: "Reset two-factor" })
    .click();
  await expect(row.getByText("Off", { exact: true })).toBeVisible();
  const totp = await sessionApi(playwright, baseURL ?? "", { username, password });
  expect(await (await totp.get("/v1/me/totp")).json()).toEqual({
    enabled: false,
    recovery_codes_remaining: 0,
  });

  await row.getByRole("button", { name: `Delete ${username}` }).click();
  await page
    .getByRole("dialog", { name: `Delete ${username}?` })
    .getByRole("button", { name: "Delete user" })
    .click();
  await expect(row).toHaveCount(0);
  expect((await totp.get("/v1/me")).status()).toBe(401);
  await Promise.all([ada.dispose(), totp.dispose()]);
  expect(errors).toEqual([]);
});

test("the signed-in admin cannot disable or delete their own account from the list", async ({
  adminPage: page,
}) => {
  await page.goto("/users");
  const me = page.getByRole("row", { name: "e2e-admin" });
  await expect(me).toContainText("(you)");
  await expect(me.getByRole("switch", { name: "Sign-in enabled for e2e-admin" })).toBeDisabled();
  await expect(me.getByRole("button", { name: "Delete e2e-admin" })).toBeDisabled();
});
