import { generateSync } from "otplib";
import { collectConsoleErrors } from "./console";
import { unique } from "./support/accounts";
import { expect, ok, sessionApi, signInPage, test } from "./support/fixtures";

test("me: personal access tokens, sessions and sign out everywhere", async ({
  page,
  adminApi,
  playwright,
  baseURL,
  request,
}) => {
  const errors = collectConsoleErrors(page);
  const user = { username: unique("grace"), password: "cobol compiler 1959" };
  await ok(
    adminApi.post("/v1/auth/users", { data: { ...user, role: "viewer", display_name: "Grace Hopper" } }),
  );
  const elsewhere = await sessionApi(playwright, baseURL ?? "", user);
  await signInPage(page, user);

  await page.goto("/me");
  await expect(page.getByRole("region", { name: "Account" })).toContainText("Grace Hopper");
  await expect(page.getByRole("region", { name: "Account" })).toContainText("viewer");

  // A token is shown once, works as a bearer token, and stops when revoked.
  const tokens = page.getByRole("region", { name: "Personal access tokens" });
  await tokens.getByLabel("Token name").fill("laptop CLI");
  await tokens.getByLabel("Expires after").selectOption({ label: "30 days" });
  await tokens.getByRole("button", { name: "Create token" }).click();
  const token = await tokens.getByLabel("Access token", { exact: true }).inputValue();
  expect(token).toMatch(/^ghpat_/);
  const whoami = () => request.get("/v1/auth/whoami", { headers: { authorization: `Bearer ${token}` } });
  expect((await ok<{ identity: string }>(whoami())).identity).toBe(`user:${user.username}`);
  await tokens.getByRole("button", { name: "Done" }).click();
  await expect(tokens.getByLabel("Access token", { exact: true })).toHaveCount(0);
  const row = tokens.getByRole("row", { name: "laptop CLI" });
  await expect(row).toContainText("active");
  await expect(row).toContainText("in 29d");
  await row.getByRole("button", { name: "Revoke laptop CLI" }).click();
  await expect(row).toContainText("revoked");
  expect((await whoami()).status()).toBe(401);

  // Two sessions: this one and the API client's. End the other one.
  const sessions = page.getByRole("region", { name: "Sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(3); // header + 2
  await expect(sessions.getByText("This session")).toHaveCount(1);
  await sessions.getByRole("button", { name: /^End session/ }).click();
  await expect(sessions.getByRole("row")).toHaveCount(2);
  expect((await elsewhere.get("/v1/me")).status()).toBe(401);

  // Sign out everywhere ends this session too.
  await sessions.getByRole("button", { name: "Sign out everywhere" }).click();
  await page
    .getByRole("dialog", { name: "Sign out everywhere?" })
    .getByRole("button", { name: "Sign out everywhere" })
    .click();
  await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
  expect((await page.request.get("/v1/me")).status()).toBe(401);
  await elsewhere.dispose();
  expect(errors).toEqual([]);
});

test("me: regenerate recovery codes and turn two-factor off, both behind the password", async ({
  page,
  adminApi,
  playwright,
  baseURL,
}) => {
  const user = { username: unique("margaret"), password: "apollo guidance 1969" };
  await ok(adminApi.post("/v1/auth/users", { data: { ...user, role: "approver" } }));
  const api = await sessionApi(playwright, baseURL ?? "", user);
  const { secret } = await ok<{ secret: string }>(api.post("/v1/me/totp/setup"));
  await ok(api.post("/v1/me/totp/verify", { data: { code: generateSync({ secret }) } }));
  await api.dispose();

  // Sign the browser in: password, then a TOTP code one step ahead (enrollment used this step).
  const first = await ok<{ totp_token: string }>(page.request.post("/v1/auth/session", { data: user }));
  const code = generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
  await ok(page.request.post("/v1/auth/session/totp", { data: { totp_token: first.totp_token, code } }));

  await page.goto("/me");
  const totp = page.getByRole("region", { name: "Two-factor authentication" });
  await expect(totp.getByText("On", { exact: true })).toBeVisible();
  await totp.getByRole("button", { name: "Regenerate recovery codes" }).click();
  await totp.getByLabel("Current password").fill("wrong password");
  await totp.getByRole("button", { name: "Make new recovery codes" }).click();
  await expect(totp.getByRole("alert")).toContainText("not the current password");
  await totp.getByLabel("Current password").fill(user.password);
  await totp.getByRole("button", { name: "Make new recovery codes" }).click();
  await expect(totp.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
  await totp.getByRole("button", { name: "I have saved them" }).click();

  await totp.getByRole("button", { name: "Turn off two-factor" }).click();
  await totp.getByLabel("Current password").fill(user.password);
  await totp.getByRole("button", { name: "Turn off two-factor" }).click();
  await expect(totp.getByText("Off", { exact: true })).toBeVisible();
  await expect(totp.getByRole("button", { name: "Set up two-factor" })).toBeVisible();
});

test("me at 390 px: enrollment and tokens stay inside the screen", async ({ page, adminApi }) => {
  const user = { username: unique("katherine"), password: "orbital mechanics 1962" };
  await ok(adminApi.post("/v1/auth/users", { data: { ...user, role: "viewer" } }));
  await signInPage(page, user);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/me");
  const totp = page.getByRole("region", { name: "Two-factor authentication" });
  await totp.getByRole("button", { name: "Set up two-factor" }).click();
  await expect(totp.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
