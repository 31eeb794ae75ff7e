// Leases, audit and the dashboard: live updates over SSE, countdowns, renew and revoke, filters,
// export, the live tail, chain verification and retention.
import type { Page } from "@playwright/test";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { createAgent, literal, putSecret, requestLease } from "./support/vault";

interface Checkout {
  lease: { id: string; ttl_seconds: number };
  value: string;
}

const markDocument = (page: Page) =>
  page.evaluate(() => Object.defineProperty(window, "__sameDocument", { value: true }));
const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
const live = (page: Page) => page.getByRole("status").filter({ hasText: /^Live$/ });

test("leases: live list with countdown, renew, revoke and the history toggle", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  const errors = collectConsoleErrors(page);
  const folder = `e2e/${unique("lease")}`;
  const path = `${folder}/token`;
  await putSecret(adminApi, path, "lease-me");
  const agent = await createAgent(playwright, baseURL ?? "", adminApi, [
    { paths: [`${folder}/**`], capabilities: ["read", "lease"] },
  ]);
  const first = await ok<Checkout>(agent.api.post(`/v1/lease/${path}`, { data: { ttl: 60 } }));

  await page.goto("/leases");
  await expect(live(page)).toBeVisible();
  await markDocument(page);
  const row = page.getByRole("row", { name: `Lease ${first.lease.id}` });
  await expect(row).toContainText(path);
  await expect(row).toContainText(agent.name);
  await expect(row).toContainText("active");
  const time = row.locator("time.countdown");
  const before = (await time.textContent()) ?? "";
  expect(before).toMatch(/^(1m 0s|\d{1,2}s)$/);
  await expect(time).not.toHaveText(before); // it counts down

  // A checkout elsewhere shows up without a reload.
  const second = await ok<Checkout>(agent.api.post(`/v1/lease/${path}`, { data: { ttl: 3600 } }));
  const secondRow = page.getByRole("row", { name: `Lease ${second.lease.id}` });
  await expect(secondRow).toContainText(/59m|1h 0m/);

  await row.getByRole("button", { name: `Renew lease on ${path}` }).click();
  const renew = page.getByRole("dialog", { name: `Renew lease on ${path}` });
  await renew.getByLabel("TTL (seconds)").fill("5");
  await expect(renew.getByText("Between 10 and 86400 seconds.")).toBeVisible();
  await renew.getByLabel("TTL (seconds)").fill("600");
  await renew.getByRole("button", { name: "Renew lease" }).click();
  await expect(renew).toBeHidden();
  await expect(row.locator("time.countdown")).toHaveText(/^(10m 0s|9m \d+s)$/);

  await row.getByRole("button", { name: `Revoke lease on ${path}` }).click();
  await page
    .getByRole("dialog", { name: `Revoke lease on ${path}?` })
    .getByRole("button", { name: "Revoke lease" })
    .click();
  await expect(row).toBeHidden();
  const renewed = await agent.api.post(`/v1/lease/${first.lease.id}/renew`, { data: { ttl: 60 } });
  expect(renewed.status()).toBe(409);

  await page.getByRole("switch", { name: "Show expired and revoked" }).check();
  await expect(page.getByRole("heading", { name: /All leases/ })).toBeVisible();
  await expect(row).toContainText("revoked");
  await expect(row.getByRole("button", { name: /Renew/ })).toHaveCount(0);
  expect(await sameDocument(page)).toBe(true);
  expect(errors).toEqual([]);
  await agent.api.dispose();
});

test("audit: filters, export in three formats, live tail, chain verification and retention", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const folder = `e2e/${unique("audit")}`;
  await putSecret(adminApi, `${folder}/one`, "1");

  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();
  const filters = page.getByRole("form", { name: "Audit filters" });
  await filters.getByLabel("Action").fill("secret.write");
  await filters.getByLabel("Path prefix").fill(folder);
  await filters.getByLabel("Outcome").selectOption("success");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  const entries = page.getByRole("table").getByRole("row", { name: /Audit entry/ });
  await expect(entries).toHaveCount(1);
  await expect(entries.first()).toContainText(`${folder}/one`);
  await expect(entries.first()).toContainText("secret.write");
  await expect(entries.first()).toContainText("e2e-admin");

  // Export links carry the filters; each format parses.
  for (const format of ["json", "jsonl", "csv"] as const) {
    const href = await page
      .getByRole("link", { name: `Export ${format.toUpperCase()}`, exact: true })
      .getAttribute("href");
    expect(href).toContain(`format=${format}`);
    expect(href).toContain(encodeURIComponent(folder));
    const response = await page.request.get(href ?? "");
    expect(response.status()).toBe(200);
    const text = await response.text();
    if (format === "json")
      expect((JSON.parse(text) as { path: string }[]).map((e) => e.path)).toEqual([`${folder}/one`]);
    if (format === "jsonl")
      expect(
        text
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as { action: string }).action),
      ).toEqual(["secret.write"]);
    if (format === "csv") {
      const lines = text.trim().split(/\r?\n/);
      expect(lines[0]).toContain("timestamp,identity,action,path");
      expect(lines).toHaveLength(2);
    }
  }

  // Live tail: a matching write shows up on its own; a non-matching one does not.
  await page.getByRole("switch", { name: "Live tail" }).check();
  await expect(live(page)).toBeVisible();
  await markDocument(page);
  await putSecret(adminApi, `${folder}/two`, "2");
  await putSecret(adminApi, `e2e/${unique("elsewhere")}/x`, "3");
  await expect(entries).toHaveCount(2);
  await expect(entries.first()).toContainText(`${folder}/two`);
  expect(await sameDocument(page)).toBe(true);
  await page.getByRole("switch", { name: "Live tail" }).uncheck();

  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Chain intact." })).toBeVisible();

  const retention = page.getByRole("region", { name: "Retention" });
  await retention.getByLabel("Retention (days)").fill("400");
  await retention.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("status").filter({ hasText: "kept for 400 days" })).toBeVisible();
  expect(await ok<{ retention_days: number }>(adminApi.get("/v1/audit/retention"))).toEqual({
    retention_days: 400,
  });
  await retention.getByRole("button", { name: "Purge old entries" }).click();
  await page
    .getByRole("dialog", { name: "Purge old audit entries?" })
    .getByRole("button", { name: "Purge entries" })
    .click();
  await expect(
    page.getByRole("status").filter({ hasText: "Nothing was old enough to purge." }),
  ).toBeVisible();
  await retention.getByLabel("Retention (days)").fill("0");
  await retention.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByRole("status").filter({ hasText: "kept forever" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("dashboard: counts, pending approvals and recent audit update live", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  const errors = collectConsoleErrors(page);
  const folder = `e2e/${unique("dash")}`;
  const path = `${folder}/key`;
  await putSecret(adminApi, path, "dash");
  const agent = await createAgent(playwright, baseURL ?? "", adminApi, [
    { paths: [`${folder}/**`], capabilities: ["read", "lease"], approval: { required: true, max_ttl: 600 } },
  ]);

  await page.goto("/");
  await expect(live(page)).toBeVisible();
  const pendingStat = page.getByRole("link", { name: /^Pending approvals: \d+$/ });
  const before = Number((await pendingStat.getAttribute("aria-label"))?.split(": ")[1]);
  // An exact count (it was capped at 1000 before the count route).
  const auditStat = page.getByRole("link", { name: /^Audit entries \(24 h\): \d+$/ });
  const auditBefore = Number((await auditStat.getAttribute("aria-label"))?.match(/(\d+)\+?$/)?.[1]);
  await markDocument(page);

  await requestLease(agent, path, 120, "Dashboard check");
  await expect(page.getByRole("link", { name: `Pending approvals: ${before + 1}` })).toBeVisible();
  await expect(page.getByRole("list", { name: "Pending approval requests" })).toContainText(path);
  await expect(
    page
      .getByRole("list", { name: "Recent audit entries" })
      .getByRole("listitem")
      .filter({ hasText: "approval.request" })
      .filter({ hasText: literal(path) }),
  ).toBeVisible();
  await expect
    .poll(async () => Number((await auditStat.getAttribute("aria-label"))?.match(/(\d+)\+?$/)?.[1]))
    .toBeGreaterThan(auditBefore);
  expect(await sameDocument(page)).toBe(true);
  expect(errors).toEqual([]);
  await agent.api.dispose();
});

for (const width of [390, 1280]) {
  test(`vault pages fit ${width} px in both themes`, async ({ adminPage: page }) => {
    const errors = collectConsoleErrors(page);
    await page.setViewportSize({ width, height: 900 });
    for (const [path, heading] of [
      ["/", "Dashboard"],
      ["/secrets", "Secrets"],
      ["/leases", "Leases"],
      ["/approvals", "Approvals"],
      ["/audit", "Audit"],
      ["/settings", "Settings"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: /^Loading/ })).toHaveCount(0);
      for (const theme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: theme });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} overflows at ${width} px in the ${theme} theme`).toBeLessThanOrEqual(0);
      }
    }
    expect(errors).toEqual([]);
  });
}
