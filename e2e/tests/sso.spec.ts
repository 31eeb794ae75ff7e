// OIDC single sign-on through a real identity provider (issue 5, acceptance 2): an `oidc-provider`
// instance on a loopback port (dev interactions: a login page that takes any login, then consent),
// configured through Settings → Single sign-on, then "Sign in with SSO" in Chromium.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import Provider from "oidc-provider";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, test } from "./support/fixtures";

const CLIENT_ID = "gatehouse-e2e";
const CLIENT_SECRET = "e2e-oidc-client-secret-9f8e7d6c5b4a";

interface Account {
  email: string;
  email_verified: boolean;
  name: string;
}

async function startIdp(redirectUri: string, accounts: ReadonlyMap<string, Account>) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ["e2e-oidc-cookie-key-0123456789abcdef"] },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The IdP's development login page (any login), then its consent page. */
async function signInAtIdp(page: Page, issuer: string, login: string) {
  await expect(page).toHaveURL(new RegExp(`^${issuer.replace(/[.]/g, "\\.")}/interaction/`));
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("any password works here");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

// The IdP's own pages import a web font that the sandbox cannot fetch; only Gatehouse's errors count.
const gatehouseErrors = (errors: string[], issuer: string) =>
  errors.filter((e) => !e.includes(issuer) && !e.includes("fonts.googleapis.com"));

test("sso: configure OIDC in Settings, then sign in through the IdP's login page", async ({
  adminPage: page,
  adminApi,
  baseURL,
  browser,
}) => {
  const errors = collectConsoleErrors(page);
  const username = unique("sso-ada");
  const email = `${username}@example.test`;
  await ok(
    adminApi.post("/v1/auth/users", {
      data: {
        username,
        display_name: "Ada via SSO",
        email,
        password: "ada sso password 1843",
        role: "viewer",
      },
    }),
  );
  const accounts = new Map<string, Account>([
    ["ada", { email, email_verified: true, name: "Ada at the IdP" }],
    ["stranger", { email: `${unique("nobody")}@example.test`, email_verified: true, name: "Stranger" }],
  ]);
  const callback = `${baseURL}/v1/auth/oidc/callback`;
  const idp = await startIdp(callback, accounts);

  try {
    // 1. Configure through the Settings form.
    await page.goto("/settings");
    const sso = page.getByRole("region", { name: "Single sign-on" });
    await expect(sso.getByText("off", { exact: true })).toBeVisible();
    await expect(sso.getByLabel("Redirect URI to register at your IdP")).toHaveValue(callback);
    await sso.getByLabel("Enable single sign-on").check();
    await sso.getByRole("button", { name: "Save SSO settings" }).click();
    await expect(sso.getByText("An issuer is required to turn single sign-on on.")).toBeVisible();

    await sso.getByLabel("Issuer URL").fill(idp.issuer);
    await sso.getByLabel("Client ID").fill(CLIENT_ID);
    await sso.getByLabel("Client secret").fill(CLIENT_SECRET);
    await sso.getByRole("button", { name: "Test configuration" }).click();
    const discovery = sso.getByRole("status", { name: "Discovery result" });
    await expect(discovery).toContainText("Discovery succeeded");
    await expect(discovery).toContainText(`${idp.issuer}/token`);
    await expect(discovery).toContainText("supports PKCE (S256)");
    await sso.getByRole("button", { name: "Save SSO settings" }).click();
    await expect(sso.getByText("enabled", { exact: true })).toBeVisible();

    // The client secret is write-only: stored ("set"), never sent back, the field empty again.
    await expect(sso.getByLabel("Client secret")).toHaveValue("");
    await expect(sso).toContainText("A secret is stored");
    expect(await page.content()).not.toContain(CLIENT_SECRET);
    const stored = await ok<{
      enabled: boolean;
      issuer: string;
      client_secret: string;
      client_secret_set: boolean;
    }>(adminApi.get("/v1/settings/sso"));
    expect(stored).toMatchObject({
      enabled: true,
      issuer: idp.issuer,
      client_secret: "",
      client_secret_set: true,
    });
    // A reload shows what the server holds.
    await page.reload();
    await expect(sso.getByLabel("Issuer URL")).toHaveValue(idp.issuer);
    await expect(sso.getByLabel("Client ID")).toHaveValue(CLIENT_ID);
    await expect(sso.getByLabel("Enable single sign-on")).toBeChecked();

    // 2. Sign out, then "Sign in with SSO": the IdP's login and consent pages, back signed in.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
    await page.getByRole("link", { name: "Sign in with SSO" }).click();
    await signInAtIdp(page, idp.issuer, "ada");
    await expect(page).toHaveURL(`${baseURL}/`);
    await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
    await expect(page.locator(".user-menu")).toContainText("Ada via SSO");
    const session = await ok<{ user: { username: string } }>(page.request.get("/v1/auth/session"));
    expect(session.user.username).toBe(username);
    expect(gatehouseErrors(errors, idp.issuer)).toEqual([]);

    // Signing out of an SSO session ends it at the IdP too: the browser lands on its end-session page.
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page).toHaveURL(
      new RegExp(`^${idp.issuer.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/session/end`),
    );
    expect((await page.request.get("/v1/auth/session")).status()).toBe(401);

    // 3. An IdP account with no matching Gatehouse user comes back with a readable reason.
    const context = await browser.newContext({ baseURL });
    try {
      const other = await context.newPage();
      await other.goto("/sign-in");
      await other.getByRole("link", { name: "Sign in with SSO" }).click();
      await signInAtIdp(other, idp.issuer, "stranger");
      await expect(other).toHaveURL(/\/sign-in\?error=no_account$/);
      await expect(other.getByRole("alert")).toContainText("No Gatehouse account matches your email address");
      await expect(other.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
      // Unknown codes still read as a sentence.
      await other.goto("/signin?error=something_new");
      await expect(other.getByRole("alert")).toContainText("Single sign-on failed.");
    } finally {
      await context.close();
    }
  } finally {
    // Later specs expect the sign-in page without SSO.
    await ok(adminApi.post("/v1/settings/sso", { data: { enabled: false } }));
    await idp.close();
  }
});
