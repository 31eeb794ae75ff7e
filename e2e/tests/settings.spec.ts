// Settings: server facts, the key fingerprint and a master-key rotation behind a confirmation.
// The new key is never on the page after the submit, and secrets still open afterwards.
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { putSecret, secretUrl } from "./support/vault";

test("settings: version, fingerprint, key rotation and the single sign-on slot", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const path = `e2e/${unique("rotate")}/before-rotation`;
  await putSecret(adminApi, path, "survives rotation");

  await page.goto("/settings");
  const about = page.getByRole("region", { name: "About this server" });
  await expect(about).toContainText("Version");
  await expect(about).toContainText("healthy");
  const fingerprint = page.getByTestId("key-fingerprint");
  await expect(fingerprint).toHaveText(/^[0-9a-f]{16,}$/);
  const oldFingerprint = (await fingerprint.textContent()) ?? "";
  await expect(page.getByRole("region", { name: "Single sign-on" })).toBeVisible();

  await page.getByRole("button", { name: "Rotate key…" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate the master key?" });
  await dialog.getByLabel("New master key").fill("not-a-key");
  await dialog.getByLabel(/I have stored the new key/).check();
  await dialog.getByRole("button", { name: "Rotate master key" }).click();
  await expect(dialog.getByText("64 hex characters (32 bytes).")).toBeVisible();
  await dialog.getByRole("button", { name: "Generate a key" }).click();
  const key = await dialog.getByLabel("New master key").inputValue();
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  await dialog.getByRole("button", { name: "Rotate master key" }).click();
  await expect(dialog).toBeHidden();

  const done = page.getByRole("status").filter({ hasText: "Rotated." });
  await expect(done).toContainText("Keyring version 2");
  await expect(fingerprint).not.toHaveText(oldFingerprint);
  await expect(done).toContainText((await fingerprint.textContent()) ?? "");
  // The key itself is gone from the page (and was never in storage).
  expect(await page.content()).not.toContain(key);
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(key);
  expect((await ok<{ value: string }>(adminApi.get(secretUrl(path, "/value")))).value).toBe(
    "survives rotation",
  );
  expect(errors).toEqual([]);
});
