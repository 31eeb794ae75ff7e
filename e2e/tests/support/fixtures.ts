import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";
import { E2E_ADMIN } from "./accounts";

interface Credentials {
  username: string;
  password: string;
}

/** An API client with a cookie session and its CSRF header, as the SPA would send them. */
export async function sessionApi(
  playwright: { request: { newContext: (o: object) => Promise<APIRequestContext> } },
  baseURL: string,
  credentials: Credentials,
): Promise<APIRequestContext> {
  const anonymous = await playwright.request.newContext({ baseURL });
  const response = await anonymous.post("/v1/auth/session", { data: credentials });
  expect(response.status(), await response.text()).toBe(200);
  const { csrf_token } = (await response.json()) as { csrf_token: string };
  const storageState = await anonymous.storageState();
  await anonymous.dispose();
  return playwright.request.newContext({
    baseURL,
    storageState,
    extraHTTPHeaders: { "x-csrf-token": csrf_token },
  });
}

/** Signs the page's browser context in (the session cookie lands in the context's cookie jar). */
export async function signInPage(page: Page, credentials: Credentials): Promise<void> {
  const response = await page.request.post("/v1/auth/session", { data: credentials });
  expect(response.status(), await response.text()).toBe(200);
}

export const test = base.extend<{ adminPage: Page; adminApi: APIRequestContext }>({
  adminPage: async ({ page }, use) => {
    await signInPage(page, E2E_ADMIN);
    await use(page);
  },
  adminApi: async ({ playwright, baseURL }, use) => {
    const api = await sessionApi(playwright, baseURL ?? "", E2E_ADMIN);
    await use(api);
    await api.dispose();
  },
});

export { expect };

/** POST/PUT that must succeed; returns the JSON body. */
export async function ok<T>(response: Promise<import("@playwright/test").APIResponse>): Promise<T> {
  const r = await response;
  expect(r.ok(), `${r.status()} ${await r.text()}`).toBe(true);
  return (await r.json()) as T;
}
