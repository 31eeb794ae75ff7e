// README screenshots (issue 7, acceptance 3), taken on a freshly seeded vault before the other
// specs add their test data (the "screenshots" project runs first; see playwright.config.ts).
// GATEHOUSE_E2E_REVIEW_DIR=/some/dir also saves every vault page at both widths and themes.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "@playwright/test";
import { REPO_ROOT } from "../env";
import { collectConsoleErrors } from "./console";
import { expect, test } from "./support/fixtures";
import { createAgent, putSecret, requestLease } from "./support/vault";

const OUT = join(REPO_ROOT, "docs/screenshots");
const REVIEW = process.env.GATEHOUSE_E2E_REVIEW_DIR;

/** Grows the viewport to the page's height, so the sticky sidebar spans the whole shot. */
async function shoot(page: Page, file: string, width: number) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height: Math.max(height, 800) });
  await page.screenshot({ path: join(OUT, file) });
}

async function settle(page: Page, heading: string) {
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: /^Live$/ })).toBeVisible();
}

test("seed a vault and save the README screenshots", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const errors = collectConsoleErrors(page);
  mkdirSync(OUT, { recursive: true });

  const security = {
    owner: "payments-team",
    rotation: "90d",
    allowed_domains: "api.stripe.com",
    header_name: "Authorization",
    auth_scheme: "Bearer",
  };
  await putSecret(adminApi, "prod/payments/stripe-api-key", "sk_live_51Hx0000000000000000000000", security);
  await putSecret(adminApi, "prod/payments/stripe-api-key", "sk_live_51Hx1111111111111111111111", security);
  await putSecret(adminApi, "prod/payments/webhook-secret", "whsec_0000000000000000", {
    owner: "payments-team",
  });
  await putSecret(adminApi, "prod/db/postgres-url", "postgres://app:pw@db.internal:5432/app", {
    owner: "platform",
  });
  await putSecret(adminApi, "prod/db/replica-url", "postgres://ro:pw@replica.internal:5432/app", {
    owner: "platform",
  });
  await putSecret(adminApi, "staging/github-token", "ghp_000000000000000000000000000000000000", {
    owner: "ci",
  });
  await putSecret(adminApi, "staging/openai-api-key", "sk-proj-00000000000000000000", { owner: "ml" });
  await putSecret(adminApi, "ci/npm-token", "npm_000000000000000000000000000000000000", { owner: "ci" });

  const deployBot = await createAgent(
    playwright,
    baseURL ?? "",
    adminApi,
    [{ paths: ["staging/**"], capabilities: ["read", "lease", "list"] }],
    "deploy-bot",
  );
  for (const [path, ttl] of [
    ["staging/github-token", 3_600],
    ["staging/openai-api-key", 900],
  ] as const) {
    const response = await deployBot.api.post(`/v1/lease/${path}`, { data: { ttl } });
    expect(response.status(), await response.text()).toBe(200);
  }
  const billing = await createAgent(
    playwright,
    baseURL ?? "",
    adminApi,
    [
      {
        paths: ["prod/**"],
        capabilities: ["read", "lease", "list"],
        approval: { required: true, max_ttl: 900 },
      },
    ],
    "billing-agent",
  );
  await requestLease(billing, "prod/payments/stripe-api-key", 600, "Reconcile yesterday's Stripe payouts");
  await requestLease(billing, "prod/db/replica-url", 300, "Run the read-only analytics export");

  // Dashboard, dark, 1280 px.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await settle(page, "Dashboard");
  await expect(page.getByRole("link", { name: "Pending approvals: 2" })).toBeVisible();
  await shoot(page, "dashboard-dark.png", 1280);

  // Approvals, 390 px.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/approvals");
  await settle(page, "Approvals");
  await expect(page.getByRole("article")).toHaveCount(2);
  await page.screenshot({ path: join(OUT, "approvals-mobile.png") });

  // Secrets, light, 1280 px, with security metadata on show.
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/secrets/prod/payments/stripe-api-key");
  await expect(page.getByRole("heading", { level: 1, name: "Secrets" })).toBeVisible();
  await expect(page.getByRole("row", { name: "Version 2" })).toBeVisible();
  await shoot(page, "secrets.png", 1280);

  if (REVIEW) await review(page, REVIEW);
  expect(errors).toEqual([]);
  await deployBot.api.dispose();
  await billing.api.dispose();
});

async function review(page: Page, dir: string) {
  mkdirSync(dir, { recursive: true });
  for (const [width, theme] of [
    [1280, "light"],
    [390, "dark"],
  ] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/secrets/prod/payments/stripe-api-key");
    await page.getByRole("button", { name: "Reveal value" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Reveal value" }).click();
    await expect(page.getByLabel("Value", { exact: true })).toBeVisible();
    await page.screenshot({ path: join(dir, `reveal-${width}-${theme}.png`) });
    await page.getByRole("button", { name: "Edit" }).click();
    await page.screenshot({ path: join(dir, `edit-${width}-${theme}.png`) });
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Import .env" }).click();
    const dialog = page.getByRole("dialog", { name: "Import from .env" });
    await dialog.getByLabel(".env text").fill("DATABASE_URL=postgres://x\nSTRIPE_KEY=sk_test\n");
    await dialog.getByLabel("Prefix").fill("prod/payments");
    await dialog.getByRole("button", { name: "Preview import" }).click();
    await expect(dialog.getByRole("region", { name: "Import preview" })).toBeVisible();
    await page.screenshot({ path: join(dir, `import-${width}-${theme}.png`) });
    await page.keyboard.press("Escape");
    await page.goto("/approvals");
    await page.getByRole("button", { name: "Deny…" }).first().click();
    await page.screenshot({ path: join(dir, `deny-${width}-${theme}.png`) });
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+k");
    await page.getByRole("combobox").fill("new");
    await page.screenshot({ path: join(dir, `palette-${width}-${theme}.png`) });
    await page.keyboard.press("Escape");
  }
  const pages = [
    ["/", "dashboard"],
    ["/secrets/prod/payments/stripe-api-key", "secrets"],
    ["/leases", "leases"],
    ["/approvals", "approvals"],
    ["/audit", "audit"],
    ["/settings", "settings"],
  ] as const;
  for (const width of [1280, 390]) {
    for (const theme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.setViewportSize({ width, height: width > 500 ? 900 : 844 });
      for (const [path, name] of pages) {
        await page.goto(path);
        await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
        await page.screenshot({ path: join(dir, `${name}-${width}-${theme}.png`), fullPage: width > 500 });
        if (width < 500) {
          await page.evaluate(() => window.scrollTo(0, 800));
          await page.screenshot({ path: join(dir, `${name}-${width}-${theme}-2.png`) });
        }
        const wide = await page.evaluate(() =>
          [...document.querySelectorAll("main *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5)
            .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`),
        );
        if (wide.length > 0) console.log(`${name} ${width} overflows:`, wide.join(" | "));
      }
    }
  }
}
