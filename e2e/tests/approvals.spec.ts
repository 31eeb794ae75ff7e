// Issue 7, acceptance 2: two actors. The admin works in the browser; the test plays the agent
// through the API with an AppRole token. The request must reach the open page without a reload.
import type { Page } from "@playwright/test";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { createAgent, literal, putSecret, requestLease } from "./support/vault";

interface Collected {
  request_id: string;
  status: string;
  approved_ttl: number | null;
  decision_reason: string | null;
  value?: string;
  lease?: { id: string; ttl_seconds: number; secret_path: string };
}

/** Replaces the Notification API with a recorder, so the test can click "Enable notifications". */
async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    class RecordingNotification {
      static permission: NotificationPermission = "default";
      static async requestPermission(): Promise<NotificationPermission> {
        RecordingNotification.permission = "granted";
        return "granted";
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: { body?: string }) {
        shown.push({ title, body: options?.body ?? "" });
      }
      close() {}
    }
    Object.defineProperty(window, "Notification", { value: RecordingNotification, configurable: true });
    Object.defineProperty(window, "__notifications", { value: shown });
  });
}

const shownNotifications = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { __notifications: { title: string; body: string }[] }).__notifications,
  );

/** A marker that only survives as long as the document does: proof that nothing reloaded. */
const markDocument = (page: Page) =>
  page.evaluate(() => Object.defineProperty(window, "__sameDocument", { value: true }));
const sameDocument = (page: Page) =>
  page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

async function setup(
  adminApi: Parameters<typeof putSecret>[0],
  playwright: Parameters<typeof createAgent>[0],
  baseURL: string,
) {
  const folder = unique("approval");
  const path = `e2e/${folder}/db-password`;
  await putSecret(adminApi, path, `pg-${folder}-value`, { owner: "e2e" });
  const agent = await createAgent(playwright, baseURL, adminApi, [
    {
      paths: [`e2e/${folder}/**`],
      capabilities: ["read", "lease", "list"],
      approval: { required: true, max_ttl: 600 },
    },
  ]);
  return { path, value: `pg-${folder}-value`, agent };
}

async function openApprovals(page: Page) {
  await page.goto("/approvals");
  await expect(page.getByRole("heading", { level: 1, name: "Approvals" })).toBeVisible();
  // The live stream is up before the agent asks, so the request can only arrive through it.
  await expect(page.getByRole("status").filter({ hasText: /^Live$/ })).toBeVisible();
  await markDocument(page);
}

test("an agent's lease request appears live; the admin approves it with a shorter TTL", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  const errors = collectConsoleErrors(page);
  await recordNotifications(page);
  const { path, value, agent } = await setup(adminApi, playwright, baseURL ?? "");
  await openApprovals(page);

  // Notifications are asked for only on a click.
  await page.getByRole("button", { name: "Enable notifications" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Browser notifications on" })).toBeVisible();

  const pendingTab = page.getByRole("tab", { name: /Pending/ });
  const waiting = Number((await pendingTab.textContent())?.replace(/\D/g, "") || 0);
  const reason = "Nightly backup needs the database password";
  const pending = await requestLease(agent, path, 300, reason);

  const card = page.getByRole("article", { name: literal(path) });
  await expect(card).toBeVisible();
  await expect(card).toContainText(agent.name);
  await expect(card).toContainText(reason);
  await expect(card).toContainText("127.0.0.1");
  await expect(card).toContainText("300 s"); // requested TTL
  await expect(card).toContainText("600 s"); // the rule's max_ttl
  await expect(card).toContainText(pending.request_id);
  await expect(pendingTab).toHaveText(`Pending${waiting + 1}`);
  // An in-page toast and a browser notification announce it.
  await expect(page.getByRole("status").filter({ hasText: "New approval request" })).toContainText(path);
  await expect
    .poll(async () => (await shownNotifications(page)).map((n) => n.body).join("\n"))
    .toContain(path);

  // The TTL input is capped by max_ttl.
  const ttl = card.getByLabel("TTL (seconds)");
  await expect(ttl).toHaveValue("300");
  await expect(ttl).toHaveAttribute("max", "600");
  await ttl.fill("900");
  await expect(card.getByText("At most 600 seconds: the rule's max_ttl.")).toBeVisible();
  await expect(card.getByRole("button", { name: "Approve" })).toBeDisabled();

  // The agent long-polls while the admin decides.
  const poll = agent.api.get(`/v1/requests/${pending.request_id}?wait=30`);
  await ttl.fill("120");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(card).toBeHidden();
  await expect(page.getByRole("status").filter({ hasText: "Approved" })).toContainText("TTL 120 s");

  const response = await poll;
  expect(response.status()).toBe(200);
  const decided = (await response.json()) as Collected;
  expect(decided.status).toBe("approved");
  expect(decided.approved_ttl).toBe(120);
  expect(decided.value).toBe(value);
  expect(decided.lease?.ttl_seconds).toBe(120);
  expect(decided.lease?.secret_path).toBe(path);

  await page.getByRole("tab", { name: "Approved" }).click();
  const row = page.getByRole("row", { name: literal(path) });
  await expect(row).toContainText("approved");
  await expect(row).toContainText("TTL 2m 0s");
  expect(await sameDocument(page)).toBe(true);
  expect(errors).toEqual([]);
  await agent.api.dispose();
});

test("the admin denies a request with a reason, and the agent receives it", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  const errors = collectConsoleErrors(page);
  const { path, agent } = await setup(adminApi, playwright, baseURL ?? "");
  await openApprovals(page);

  const pending = await requestLease(agent, path, 300, "Debugging a failed deploy");
  const card = page.getByRole("article", { name: literal(path) });
  await expect(card).toContainText("Debugging a failed deploy");

  const poll = agent.api.get(`/v1/requests/${pending.request_id}?wait=30`);
  await card.getByRole("button", { name: "Deny…" }).click();
  const dialog = page.getByRole("dialog", { name: /Deny .* request/ });
  await dialog.getByRole("button", { name: "Deny request" }).click();
  await expect(dialog.getByText("Give a reason: the agent receives it.")).toBeVisible();
  const reason = "Change freeze until Monday; ask in #deploys";
  await dialog.getByLabel("Reason").fill(reason);
  await dialog.getByRole("button", { name: "Deny request" }).click();
  await expect(dialog).toBeHidden();
  await expect(card).toBeHidden();

  const decided = (await (await poll).json()) as Collected;
  expect(decided.status).toBe("denied");
  expect(decided.decision_reason).toBe(reason);
  expect(decided.value).toBeUndefined();

  await page.getByRole("tab", { name: "Denied" }).click();
  await expect(page.getByRole("row", { name: literal(path) })).toContainText(reason);
  expect(await sameDocument(page)).toBe(true);
  expect(errors).toEqual([]);
  await agent.api.dispose();
});

test("the command palette approves the next pending request, at 390 px", async ({
  adminPage: page,
  adminApi,
  playwright,
  baseURL,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const { path, agent } = await setup(adminApi, playwright, baseURL ?? "");
  await requestLease(agent, path, 200, "Rotate the replica password");
  // "Next" is the oldest pending request, which may come from an earlier spec.
  const { requests } = await ok<{ requests: { request_id: string; path: string; created_at: string }[] }>(
    adminApi.get("/v1/requests?status=pending"),
  );
  const next = [...requests].sort((a, b) => a.created_at.localeCompare(b.created_at))[0];
  if (!next) throw new Error("no pending request");

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await page.getByRole("button", { name: "Search or jump to" }).click();
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await expect(palette).toBeVisible();
  const box = await palette.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await palette.getByRole("combobox").fill("approve next");
  await page.keyboard.press("Enter");

  await expect(page).toHaveURL(/\/approvals$/);
  const dialog = page.getByRole("dialog", { name: /Approve .* request\?/ });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(next.path);
  await dialog.getByLabel("TTL (seconds)").fill("60");
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(dialog).toBeHidden();

  const decided = await ok<Collected>(adminApi.get(`/v1/requests/${next.request_id}`));
  expect(decided.status).toBe("approved");
  expect(decided.approved_ttl).toBe(60);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await agent.api.dispose();
});
