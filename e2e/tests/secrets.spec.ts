// Issue 6, acceptance 3: create a secret, reveal it after confirming, roll back a version and
// import a .env file, all in the browser. Plus the approval-gated reveal (202) and the tree search.
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { createPolicy, putSecret, secretUrl } from "./support/vault";

test("create a secret with metadata, reveal it after confirming, edit, roll back and delete", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const path = `e2e/${unique("app")}/api-key`;
  const first = "first-value-0123456789";
  const second = "second-value-9876543210";

  await page.goto("/secrets");
  await page.getByRole("button", { name: "New secret" }).click();
  const create = page.getByRole("dialog", { name: "New secret" });
  await create.getByLabel("Path").fill("bad path/with space");
  await create.getByLabel("Value", { exact: true }).fill(first);
  await create.getByRole("button", { name: "Create secret" }).click();
  await expect(create.getByText("segments may contain only letters")).toBeVisible();
  await create.getByLabel("Path").fill(path);
  await create.getByRole("button", { name: "Add metadata" }).click();
  await create.getByLabel("Metadata key 1").fill("owner");
  await create.getByLabel("Metadata value 1").fill("platform-team");
  await create.getByRole("button", { name: "Add metadata" }).click();
  await create.getByLabel("Metadata key 2").fill("allowed_domains");
  await create.getByLabel("Metadata value 2").fill("api.example.com");
  // Security keys are marked while typing.
  await expect(create.getByText("security", { exact: true })).toBeVisible();
  await expect(create.getByText("needs admin on this path", { exact: false })).toBeVisible();
  await create.getByRole("button", { name: "Create secret" }).click();
  await expect(create).toBeHidden();

  await expect(page).toHaveURL(new RegExp(`/secrets/${path}$`));
  const detail = page.getByRole("region", { name: `Secret ${path}` });
  await expect(detail.getByRole("heading", { name: path })).toBeVisible();
  const metadata = detail.getByRole("definition").filter({ hasText: "api.example.com" });
  await expect(metadata).toBeVisible();
  await expect(detail.locator(".metadata-row.is-security")).toContainText("allowed_domains");
  await expect(detail.locator(".metadata-row.is-security")).toContainText("security");
  // The tree shows it, selected.
  await expect(page.getByRole("link", { name: path })).toHaveAttribute("aria-current", "page");

  // Reveal: nothing is fetched until the confirmation; cancelling shows nothing.
  await expect(detail.getByLabel("Value", { exact: true })).toHaveCount(0);
  await detail.getByRole("button", { name: "Reveal value" }).click();
  const confirm = page.getByRole("dialog", { name: `Reveal the value of ${path}?` });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(detail.getByLabel("Value", { exact: true })).toHaveCount(0);
  await detail.getByRole("button", { name: "Reveal value" }).click();
  await confirm.getByRole("button", { name: "Reveal value" }).click();
  await expect(detail.getByLabel("Value", { exact: true })).toHaveValue(first);
  await detail.getByRole("button", { name: "Hide value" }).click();
  await expect(detail.getByLabel("Value", { exact: true })).toHaveCount(0);

  // A second version with a new value; the metadata is kept.
  await detail.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: `Edit ${path}` });
  await expect(edit.getByLabel("Metadata key 1")).toHaveValue("owner");
  await expect(edit.getByLabel("Metadata value 2")).toHaveValue("api.example.com");
  await edit.getByLabel("New value").fill(second);
  await edit.getByRole("button", { name: "Save new version" }).click();
  await expect(edit).toBeHidden();
  const versions = page.getByRole("table").filter({ has: page.getByRole("row", { name: "Version 1" }) });
  await expect(versions.getByRole("row", { name: "Version 2" })).toContainText("current");

  // Look at version 2 (behind its own confirmation), then roll back to version 1.
  await versions.getByRole("button", { name: "View version 2" }).click();
  const view = page.getByRole("dialog", { name: `Version 2 of ${path}` });
  await view.getByRole("button", { name: "Reveal version 2" }).click();
  await page
    .getByRole("dialog", { name: `Reveal version 2 of ${path}?` })
    .getByRole("button", { name: "Reveal version 2" })
    .click();
  await expect(view.getByLabel("Value of version 2")).toHaveValue(second);
  await view.getByRole("button", { name: "Close dialog" }).click();

  await versions.getByRole("button", { name: "Roll back to version 1" }).click();
  const rollback = page.getByRole("dialog", { name: `Roll back ${path} to version 1?` });
  await rollback.getByRole("button", { name: "Roll back to v1" }).click();
  await expect(rollback).toBeHidden();
  await expect(versions.getByRole("row", { name: "Version 3" })).toContainText("current");
  await expect(versions.getByRole("row")).toHaveCount(4); // header + 3 versions
  await detail.getByRole("button", { name: "Reveal value" }).click();
  await page
    .getByRole("dialog", { name: `Reveal the value of ${path}?` })
    .getByRole("button", { name: "Reveal value" })
    .click();
  await expect(detail.getByLabel("Value", { exact: true })).toHaveValue(first);
  const current = await ok<{ value: string; version: number }>(adminApi.get(secretUrl(path, "/value")));
  expect(current).toMatchObject({ value: first, version: 3 });

  // Delete behind a confirmation: back to the tree, which no longer lists it.
  await detail.getByRole("button", { name: "Delete" }).click();
  await page
    .getByRole("dialog", { name: `Delete ${path}?` })
    .getByRole("button", { name: "Delete secret" })
    .click();
  await expect(page).toHaveURL(/\/secrets$/);
  await expect(page.getByRole("link", { name: path })).toHaveCount(0);
  expect((await adminApi.get(secretUrl(path))).status()).toBe(404);
  expect(errors).toEqual([]);
});

test("import a .env file: a dry run first, then every secret at once", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const prefix = `e2e/${unique("import")}`;
  await putSecret(adminApi, `${prefix}/database-url`, "postgres://old");

  await page.goto("/secrets");
  await page.getByRole("button", { name: "Import .env" }).click();
  const dialog = page.getByRole("dialog", { name: "Import from .env" });
  await dialog.getByLabel("Prefix").fill(prefix);
  await dialog.getByLabel(".env file").setInputFiles({
    name: ".env",
    mimeType: "text/plain",
    buffer: Buffer.from(
      '# app settings\nDATABASE_URL=postgres://app:pw@db:5432/app\nSTRIPE_KEY="sk_test_123"\nexport REDIS_URL=redis://cache:6379\n',
    ),
  });
  await expect(dialog.getByLabel(".env text")).toHaveValue(/STRIPE_KEY/);
  await dialog.getByRole("button", { name: "Preview import" }).click();

  const preview = dialog.getByRole("region", { name: "Import preview" });
  await expect(preview).toContainText("3 secrets would be written, 1 of them as a new version");
  await expect(preview.getByRole("listitem").filter({ hasText: `${prefix}/database-url` })).toContainText(
    "new version",
  );
  await expect(preview.getByRole("listitem").filter({ hasText: `${prefix}/stripe-key` })).toContainText(
    "new",
  );
  // Nothing is written by the dry run.
  expect((await adminApi.get(secretUrl(`${prefix}/stripe-key`))).status()).toBe(404);

  await dialog.getByRole("button", { name: "Import 3 secrets" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Imported 3 secrets." })).toBeVisible();
  await page.getByLabel("Search secrets").fill(prefix);
  for (const name of ["database-url", "redis-url", "stripe-key"]) {
    await expect(page.getByRole("link", { name: `${prefix}/${name}` })).toBeVisible();
  }
  const stripe = await ok<{ value: string }>(adminApi.get(secretUrl(`${prefix}/stripe-key`, "/value")));
  expect(stripe.value).toBe("sk_test_123");
  const db = await ok<{ value: string; version: number }>(
    adminApi.get(secretUrl(`${prefix}/database-url`, "/value")),
  );
  expect(db).toMatchObject({ value: "postgres://app:pw@db:5432/app", version: 2 });

  // The search narrows the tree and opens the folders on the way.
  await page.getByLabel("Search secrets").fill(`${prefix}/redis`);
  await expect(page.getByRole("link", { name: `${prefix}/redis-url` })).toBeVisible();
  await expect(page.getByRole("link", { name: `${prefix}/stripe-key` })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a reveal that a policy gates behind approval shows the request and waits for the decision", async ({
  page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const folder = `e2e/${unique("gated")}`;
  const path = `${folder}/signing-key`;
  await putSecret(adminApi, path, "gated-value-42");
  const policy = await createPolicy(adminApi, [
    { paths: [`${folder}/**`], capabilities: ["read", "list"], approval: { required: true, max_ttl: 300 } },
  ]);
  const reader = { username: unique("reader"), password: "reader password 42 is long" };
  await ok(
    adminApi.post("/v1/auth/users", {
      data: { ...reader, display_name: "Gated Reader", role: "approver", policies: [policy] },
    }),
  );
  await ok(page.request.post("/v1/auth/session", { data: reader }));

  await page.goto(`/secrets/${path}`);
  const detail = page.getByRole("region", { name: `Secret ${path}` });
  await detail.getByRole("button", { name: "Reveal value" }).click();
  await page
    .getByRole("dialog", { name: `Reveal the value of ${path}?` })
    .getByRole("button", { name: "Reveal value" })
    .click();

  const pending = detail.getByRole("status").filter({ hasText: "Approval requested" });
  await expect(pending).toBeVisible();
  const requestId = ((await pending.locator("code").textContent()) ?? "").trim();
  expect(requestId).toMatch(/^apr-/);
  await expect(detail.getByLabel("Value", { exact: true })).toHaveCount(0);

  // Another person approves; the page picks the decision up from its long poll and shows the value.
  await ok(adminApi.post(`/v1/requests/${requestId}/approve`, { data: { ttl: 60 } }));
  await expect(detail.getByLabel("Value", { exact: true })).toHaveValue("gated-value-42", {
    timeout: 15_000,
  });
  expect(errors).toEqual([]);
});
