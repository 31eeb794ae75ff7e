import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Locator, Page } from "@playwright/test";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";

const policyYaml = (name: string, capabilities: string, extraRules = "") => `name: ${name}
description: Payments service credentials
rules:
  - paths: ["secret/payments/**"]
    capabilities: [${capabilities}]
${extraRules}`;

async function simulate(page: Page, appRole: string, path: string): Promise<Locator> {
  const simulator = page.getByRole("region", { name: "What-if simulator" });
  await simulator.getByLabel("Simulate as").selectOption("approle");
  await simulator.getByLabel("AppRole").selectOption({ label: appRole });
  await simulator.getByLabel("Capability").selectOption("read");
  await simulator.getByLabel("Path").fill(path);
  await simulator.getByRole("button", { name: "Simulate" }).click();
  return simulator.getByRole("region", { name: "Simulation result" });
}

test("policy inspector: write and validate a policy, attach it, add a deny rule and simulate", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const policy = unique("payments");
  const baseline = unique("baseline");
  const agent = unique("payments-agent");
  await ok(
    adminApi.post("/v1/policy", {
      data: { name: baseline, rules: [{ paths: ["secret/baseline/*"], capabilities: ["list"] }] },
    }),
  );
  await ok(adminApi.post("/v1/auth/approle", { data: { display_name: agent, policies: [baseline] } }));

  // Create a database policy; the editor validates as you type with core's parser.
  await page.goto("/policies");
  await page.getByRole("button", { name: "New policy" }).click();
  const editor = page.getByRole("dialog", { name: "New policy" });
  const yaml = editor.getByLabel("Policy (YAML)");
  await yaml.fill(policyYaml(policy, "reed, list"));
  const problems = editor.getByRole("list", { name: "Validation errors" });
  await expect(problems).toContainText("rules[0].capabilities[0]");
  await expect(problems).toContainText('unknown capability "reed"');
  await expect(problems).toContainText("line 5");
  await expect(yaml).toHaveAttribute("aria-invalid", "true");
  await expect(editor.getByRole("button", { name: "Create policy" })).toBeDisabled();
  await yaml.fill(policyYaml(policy, "read, list"));
  await expect(editor.getByText("Valid policy.")).toBeVisible();
  await editor.getByRole("button", { name: "Create policy" }).click();
  await expect(editor).toBeHidden();

  const item = page.getByRole("article", { name: policy });
  await expect(item.getByText("Database", { exact: true })).toBeVisible();
  await expect(item).toContainText("secret/payments/**");
  await expect(item).toContainText("nobody yet");

  // Built-in and file policies open read-only, with the reason.
  await page.getByRole("button", { name: "View admin" }).click();
  const builtin = page.getByRole("dialog", { name: "Policy admin" });
  await expect(builtin.getByRole("note")).toContainText("cannot be changed");
  await expect(builtin.getByRole("button", { name: /Save|Create/ })).toHaveCount(0);
  await builtin.getByRole("button", { name: "Close", exact: true }).click();

  // Attach it to an AppRole.
  await page.goto("/approles");
  await page
    .getByRole("row", { name: agent })
    .getByRole("button", { name: `Edit ${agent}` })
    .click();
  const edit = page.getByRole("dialog", { name: `Edit ${agent}` });
  await edit.getByLabel(policy).check();
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();

  await page.goto("/policies");
  await expect(item).toContainText(`AppRoles: ${agent}`);
  let result = await simulate(page, agent, "secret/payments/prod/db");
  for (const side of ["In your browser", "On the server"]) {
    const decision = result.getByRole("region", { name: side });
    await expect(decision).toContainText("Allowed");
    await expect(decision).toContainText(policy);
    await expect(decision).toContainText("rules[0]");
  }
  await expect(result.getByRole("status")).toHaveText("The browser and the server agree.");

  // Add a deny rule: a matching deny wins.
  await item.getByRole("button", { name: `Edit ${policy}` }).click();
  const update = page.getByRole("dialog", { name: `Edit policy ${policy}` });
  await update
    .getByLabel("Policy (YAML)")
    .fill(
      policyYaml(policy, "read, list", '  - path: "secret/payments/prod/**"\n    capabilities: [deny]\n'),
    );
  await expect(update.getByText("Valid policy.")).toBeVisible();
  await update.getByRole("button", { name: "Save policy" }).click();
  await expect(update).toBeHidden();
  await expect(item).toContainText("secret/payments/prod/**");

  result = await simulate(page, agent, "secret/payments/prod/db");
  for (const side of ["In your browser", "On the server"]) {
    const decision = result.getByRole("region", { name: side });
    await expect(decision).toContainText("Denied");
    await expect(decision).toContainText(policy);
    await expect(decision).toContainText("rules[1]");
    await expect(decision).toContainText("deny on secret/payments/prod/**");
  }
  await expect(result.getByRole("region", { name: "On the server" })).toContainText(
    `denied by policy "${policy}" rule 1`,
  );
  await expect(result.getByRole("status")).toHaveText("The browser and the server agree.");

  // Outside the denied subtree the first rule still allows.
  result = await simulate(page, agent, "secret/payments/staging/db");
  await expect(result.getByRole("region", { name: "On the server" })).toContainText("Allowed");
  expect(errors).toEqual([]);
});

test("the simulator flags a disagreement between the browser and the server", async ({
  adminPage: page,
  adminApi,
}) => {
  const policy = unique("drift");
  const agent = unique("drift-agent");
  await ok(
    adminApi.post("/v1/policy", {
      data: { name: policy, rules: [{ paths: ["secret/drift/**"], capabilities: ["read"] }] },
    }),
  );
  await ok(adminApi.post("/v1/auth/approle", { data: { display_name: agent, policies: [policy] } }));

  await page.goto("/policies");
  await expect(page.getByRole("article", { name: policy })).toBeVisible();
  // Someone else adds a deny after this page loaded its copy of the policies.
  await ok(
    adminApi.put(`/v1/policy/${policy}`, {
      data: {
        rules: [
          { paths: ["secret/drift/**"], capabilities: ["read"] },
          { paths: ["secret/drift/**"], capabilities: ["deny"] },
        ],
      },
    }),
  );
  const result = await simulate(page, agent, "secret/drift/key");
  await expect(result.getByRole("alert")).toContainText("disagree");
  await expect(result.getByRole("region", { name: "In your browser" })).toContainText("Allowed");
  await expect(result.getByRole("region", { name: "On the server" })).toContainText("Denied");
});

test("changed-meaning flags, and deleting a database policy", async ({ adminPage: page, adminApi }) => {
  const policy = unique("short-lived");
  await ok(
    adminApi.post("/v1/policy", {
      data: { name: policy, rules: [{ paths: ["tmp/*"], capabilities: ["read"] }] },
    }),
  );
  await page.goto("/policies");
  const item = page.getByRole("article", { name: policy });
  // `tmp/*` matched "tmp/a/b" under Gatehouse's old glob: the inspector flags the changed meaning.
  await expect(item).toContainText("1 changed meaning");
  await item.getByRole("button", { name: `Delete ${policy}` }).click();
  await page
    .getByRole("dialog", { name: `Delete policy ${policy}?` })
    .getByRole("button", { name: "Delete policy" })
    .click();
  await expect(item).toHaveCount(0);
});

test("file policies are read-only; conflicts with the database and broken files are shown", async ({
  adminPage: page,
  adminApi,
}) => {
  const configDir = process.env.GATEHOUSE_E2E_CONFIG_DIR;
  expect(configDir, "global-setup exposes the server's config directory").toBeTruthy();
  const dir = join(configDir ?? "", "policies");
  const name = unique("shared");
  const files = [join(dir, `${name}.yaml`), join(dir, `broken-${name}.yaml`)];
  await ok(
    adminApi.post("/v1/policy", { data: { name, rules: [{ paths: ["db/**"], capabilities: ["read"] }] } }),
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(files[0] ?? "", `name: ${name}\nrules:\n  - path: "files/**"\n    capabilities: [read]\n`);
  writeFileSync(files[1] ?? "", `name: broken-${name}\nrules:\n  - path: "x/**"\n    capabilities: [reed]\n`);
  try {
    await page.goto("/policies");
    await page.getByRole("button", { name: "Reload from disk" }).click();
    const problems = page.getByRole("region", { name: "Problems" });
    await expect(problems).toContainText(`Name conflict: ${name}`);
    await expect(problems).toContainText(`broken-${name}.yaml was not loaded`);
    await expect(problems).toContainText('rules[0].capabilities[0] unknown capability "reed"');

    const both = page.getByRole("article", { name, exact: true });
    await expect(both).toHaveCount(2);
    const fromFile = both.filter({ hasText: `${name}.yaml` });
    await expect(fromFile.getByText("File", { exact: true })).toBeVisible();
    await expect(both.filter({ hasText: "db/**" }).getByText("Inactive")).toBeVisible();
    await fromFile.getByRole("button", { name: `View ${name}` }).click();
    const view = page.getByRole("dialog", { name: `Policy ${name}` });
    await expect(view.getByRole("note")).toContainText(`${name}.yaml`);
    await expect(view.getByLabel("Policy (YAML)")).toHaveAttribute("readonly", "");
    await view.getByRole("button", { name: "Close", exact: true }).click();
  } finally {
    for (const f of files) rmSync(f, { force: true });
    await ok(adminApi.post("/v1/policy/reload"));
    await ok(adminApi.delete(`/v1/policy/${name}`));
  }
});
