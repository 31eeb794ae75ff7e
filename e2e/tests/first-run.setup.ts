import { expect, test } from "@playwright/test";
import { generateSync } from "otplib";
import { collectConsoleErrors } from "./console";
import { E2E_ADMIN, FIRST_ADMIN } from "./support/accounts";

/**
 * The code an authenticator shows one period from now. Enrollment marks the current time step as
 * used (replay protection), and the server accepts one step of drift, so the next step's code is
 * the one that can sign in straight away instead of waiting up to 30 s.
 */
const nextCode = (secret: string) => generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });

test("first-run setup, then sign-in, TOTP enrollment and a sign-in with password and TOTP", async ({
  page,
  context,
}) => {
  const errors = collectConsoleErrors(page, ["/v1/auth/session/totp"]);
  const setupPath = process.env.GATEHOUSE_E2E_SETUP_PATH;
  expect(setupPath, "global-setup reads the setup link the server prints").toBeTruthy();

  // 1. First-run setup through the printed link: the token comes from the URL.
  await page.goto(setupPath ?? "/setup");
  await expect(page.getByRole("heading", { name: "Set up Gatehouse" })).toBeVisible();
  await expect(page.getByLabel("Setup token")).toHaveCount(0);
  await page.getByLabel("Username").fill(FIRST_ADMIN.username);
  await page.getByLabel("Display name").fill(FIRST_ADMIN.display_name);
  await page.getByLabel("Email").fill(FIRST_ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(FIRST_ADMIN.password);
  await page.getByLabel("Confirm password").fill("something else");
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");
  await page.getByLabel("Confirm password").fill(FIRST_ADMIN.password);
  await page.getByRole("button", { name: "Create admin account" }).click();
  // The server signs the new admin in.
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  // 2. Sign out, then in with the password (a wrong one first: the error carries a request id).
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
  await page.getByLabel("Username").fill(FIRST_ADMIN.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Invalid username or password");
  await expect(page.getByRole("alert")).toContainText("Request ID");
  await page.getByLabel("Password").fill(FIRST_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();

  // 3. Enrol TOTP under Me: QR code and secret, a code, then the recovery codes once.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Me" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Me" })).toBeVisible();
  const totp = page.getByRole("region", { name: "Two-factor authentication" });
  await expect(totp.getByText("Off", { exact: true })).toBeVisible();
  await totp.getByRole("button", { name: "Set up two-factor" }).click();
  const qr = totp.getByRole("img", { name: "QR code for your authenticator app" });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
  const secret = await totp.getByLabel("Secret key").inputValue();
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await totp.getByLabel("Code from the app").fill(generateSync({ secret }));
  await totp.getByRole("button", { name: "Turn on two-factor" }).click();

  const codes = totp.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const shown = await codes.allInnerTexts();
  for (const code of shown) expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await totp.getByRole("button", { name: "Copy recovery codes" }).click();
  await expect(totp.getByRole("status").filter({ hasText: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown.join("\n"));
  await totp.getByRole("button", { name: "I have saved them" }).click();
  await expect(totp.getByText("On", { exact: true })).toBeVisible();
  await expect(totp).toContainText("10 unused recovery codes");

  // 4. Sign out; signing in now takes the password and a TOTP code (a wrong one is refused).
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByLabel("Username").fill(FIRST_ADMIN.username);
  await page.getByLabel("Password").fill(FIRST_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("wrong");
  await page.getByLabel("Authentication code").fill(nextCode(secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole("heading", { level: 1, name: "Me" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Sessions" })).toContainText("Password + code");
  expect(errors).toEqual([]);

  // 5. Seed the admin the other specs use, through the API as this TOTP-protected admin.
  const session = await page.request.get("/v1/auth/session");
  const { csrf_token } = (await session.json()) as { csrf_token: string };
  const created = await page.request.post("/v1/auth/users", {
    data: { ...E2E_ADMIN, role: "admin" },
    headers: { "x-csrf-token": csrf_token },
  });
  expect(created.status(), await created.text()).toBe(201);
});
