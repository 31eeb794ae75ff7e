// Patterns (issue 9's UI): real proxy calls through POST /v1/proxy to a loopback upstream of the
// test's own teach Gatehouse patterns (private addresses are allowed by default), which the page
// groups per secret, filters, details, pins and deletes.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIRequestContext } from "@playwright/test";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";
import { putSecret } from "./support/vault";

interface PatternView {
  id: string;
  secret_path: string;
  method: string;
  url_template: string;
  confidence: number;
  pinned: boolean;
}

/** A tiny JSON API: orders per user, a POST that creates one, and a failure on demand. */
async function startUpstream() {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://upstream");
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (!req.headers.authorization?.startsWith("Bearer ")) return json(401, { error: "no token" });
      if (url.pathname === "/users/999/orders") return json(500, { error: "down for maintenance" });
      if (req.method === "GET" && /^\/users\/\d+\/orders$/.test(url.pathname))
        return json(200, { orders: [{ id: 1, total: 12.5, paid: true }], next: null });
      if (req.method === "POST" && /^\/users\/\d+\/orders$/.test(url.pathname)) {
        const input = JSON.parse(body || "{}") as Record<string, unknown>;
        return json(201, { id: 7, ...input });
      }
      if (req.method === "GET" && url.pathname === "/status") return json(200, { ok: true });
      return json(404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function proxy(api: APIRequestContext, secret: string, method: string, url: string, body?: unknown) {
  const r = await api.post("/v1/proxy", {
    data: { method, url, inject: { Authorization: secret }, ...(body === undefined ? {} : { body }) },
  });
  expect(r.status(), await r.text()).toBe(200);
  return (await r.json()) as { status: number };
}

test("patterns: learned from proxy calls, grouped per secret, filtered, detailed, pinned and deleted", async ({
  adminPage: page,
  adminApi,
}) => {
  const errors = collectConsoleErrors(page);
  const upstream = await startUpstream();
  try {
    const base = unique("patterns");
    const shop = `e2e/${base}/shop-token`;
    const status = `e2e/${base}/status-token`;
    for (const path of [shop, status])
      await putSecret(adminApi, path, `tok_${unique("value")}_0123456789`, { allowed_domains: "127.0.0.1" });

    // GET /users/:num/orders: three successes, then one failure (confidence 75%).
    for (const id of [1, 2, 3]) await proxy(adminApi, shop, "GET", `${upstream.origin}/users/${id}/orders`);
    expect((await proxy(adminApi, shop, "GET", `${upstream.origin}/users/999/orders`)).status).toBe(500);
    await proxy(adminApi, shop, "POST", `${upstream.origin}/users/4/orders`, { item: "book", quantity: 2 });
    await proxy(adminApi, status, "GET", `${upstream.origin}/status`);

    const learned = await ok<{ patterns: PatternView[] }>(
      adminApi.get(`/v1/proxy/patterns?secret=${encodeURIComponent(shop)}`),
    );
    expect(learned.patterns.map((p) => `${p.method} ${p.url_template}`).sort()).toEqual([
      `GET ${upstream.origin}/users/:num/orders`,
      `POST ${upstream.origin}/users/:num/orders`,
    ]);

    await page.goto("/patterns");
    await expect(page.getByRole("heading", { level: 1, name: "Patterns" })).toBeVisible();
    await page.getByLabel("Secret").fill(base);
    const shopGroup = page.getByRole("region", { name: `Patterns of ${shop}` });
    const statusGroup = page.getByRole("region", { name: `Patterns of ${status}` });
    await expect(shopGroup.getByRole("listitem")).toHaveCount(2);
    await expect(statusGroup.getByRole("listitem")).toHaveCount(1);
    await expect(page.getByRole("status").filter({ hasText: "3 patterns across 2 secrets" })).toBeVisible();

    const get = shopGroup.getByRole("listitem", { name: "GET /users/:num/orders" });
    await expect(get).toContainText("75% confidence");
    await expect(get).toContainText("127.0.0.1");
    const post = shopGroup.getByRole("listitem", { name: "POST /users/:num/orders" });
    await expect(post).toContainText("100% confidence");

    // Filters: method and confidence.
    await page.getByLabel("Method").selectOption("POST");
    await expect(shopGroup.getByRole("listitem")).toHaveCount(1);
    await expect(statusGroup).toHaveCount(0);
    await page.getByLabel("Method").selectOption("");
    await page.getByLabel("Confidence").selectOption({ label: "80% or more" });
    await expect(get).toHaveCount(0);
    await expect(post).toBeVisible();
    await expect(statusGroup).toBeVisible();
    await page.getByLabel("Confidence").selectOption({ label: "Any" });

    // Details: the full template, the body schemas (keys and types, never values), the last status.
    await post.getByRole("button", { name: "Show details of POST /users/:num/orders" }).click();
    const details = post.getByRole("region", { name: "Details of POST /users/:num/orders" });
    await expect(details).toContainText(`POST ${upstream.origin}/users/:num/orders`);
    const request = details.getByRole("region", { name: "Request body schema" });
    await expect(request.getByRole("row", { name: "item string" })).toBeVisible();
    await expect(request.getByRole("row", { name: "quantity number" })).toBeVisible();
    const response = details.getByRole("region", { name: "Response body schema" });
    await expect(response.getByRole("row", { name: "id number" })).toBeVisible();
    await expect(details).toContainText("201");
    await expect(details).not.toContainText("book");
    await expect(details.getByText("Recent calls")).toBeVisible();
    await post.getByRole("button", { name: "Hide details of POST /users/:num/orders" }).click();
    await expect(details).toHaveCount(0);

    // Pin, then only-pinned; unpin is the same button.
    await post.getByRole("button", { name: "Pin POST /users/:num/orders" }).click();
    await expect(post.getByText("pinned", { exact: true })).toBeVisible();
    const pinned = await ok<{ patterns: PatternView[] }>(
      adminApi.get(`/v1/proxy/patterns?secret=${encodeURIComponent(shop)}`),
    );
    expect(pinned.patterns.find((p) => p.method === "POST")?.pinned).toBe(true);
    await page.getByLabel("Pinned only").check();
    await expect(shopGroup.getByRole("listitem")).toHaveCount(1);
    await expect(statusGroup).toHaveCount(0);
    await page.getByLabel("Pinned only").uncheck();

    // Delete behind a confirmation.
    await get.getByRole("button", { name: "Delete GET /users/:num/orders" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this pattern?" });
    await expect(confirm).toContainText(shop);
    await confirm.getByRole("button", { name: "Delete pattern" }).click();
    await expect(confirm).toBeHidden();
    await expect(get).toHaveCount(0);
    await expect(shopGroup.getByRole("listitem")).toHaveCount(1);
    const left = await ok<{ patterns: PatternView[] }>(
      adminApi.get(`/v1/proxy/patterns?secret=${encodeURIComponent(shop)}`),
    );
    expect(left.patterns.map((p) => p.method)).toEqual(["POST"]);
    expect(errors).toEqual([]);
  } finally {
    await upstream.close();
  }
});
