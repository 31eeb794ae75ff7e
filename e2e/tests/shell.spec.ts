import { collectConsoleErrors } from "./console";
import { E2E_ADMIN } from "./support/accounts";
import { expect, test } from "./support/fixtures";

test("the shell loads under the server's CSP, toggles the theme and opens the command palette", async ({
  page,
  request,
}) => {
  const errors = collectConsoleErrors(page);
  const bootstrap = await (await request.get("/v1/ui/bootstrap")).json();

  const response = await page.goto("/");
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");

  if (bootstrap.setup_required) {
    await expect(page).toHaveURL(/\/setup(\?|$)/);
    await expect(page.getByRole("heading", { name: "Set up Gatehouse" })).toBeVisible();
    await expect(page.getByLabel("Display name")).toBeVisible();
  } else {
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole("heading", { name: "Sign in to Gatehouse" })).toBeVisible();
    await expect(page.getByLabel("Password")).toBeVisible();
  }
  await expect(page.getByLabel("Username")).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Development mode" })).toBeVisible();

  const html = page.locator("html");
  const initial = await html.getAttribute("data-theme");
  expect(initial === "light" || initial === "dark").toBe(true);
  const other = initial === "dark" ? "light" : "dark";
  await page.getByRole("button", { name: `Switch to ${other} theme` }).click();
  await expect(html).toHaveAttribute("data-theme", other);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", other);
  // The theme is the only thing the SPA may keep in storage.
  expect(await page.evaluate(() => Object.keys(localStorage))).toEqual(["gatehouse.theme"]);

  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await expect(palette).toBeVisible();
  const search = palette.getByRole("combobox", { name: "Search pages and commands" });
  await expect(search).toBeFocused();
  await search.fill("theme");
  await expect(palette.getByRole("option", { name: /Toggle theme/ })).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(palette).toBeHidden();
  await expect(html).toHaveAttribute("data-theme", initial ?? "light");

  await page.keyboard.press("Control+k");
  await expect(palette).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(palette).toBeHidden();

  expect(errors).toEqual([]);
});

test("the signed-in shell navigates by sidebar, command palette and URL", async ({ adminPage: page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto("/secrets");
  await expect(page.getByRole("heading", { level: 1, name: "Secrets" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link")).toHaveCount(14); // brand + 13 pages
  await expect(nav.getByRole("link", { name: "Secrets", exact: true })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.getByRole("complementary", { name: "Development mode" })).toBeVisible();
  await expect(page.getByRole("complementary", { name: "Root token warning" })).toHaveCount(0);

  await page.keyboard.press("Control+k");
  await page.getByRole("combobox", { name: "Search pages and commands" }).fill("aud");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { level: 1, name: "Audit" })).toBeVisible();

  await nav.getByRole("link", { name: "Me" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Me" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Account" })).toContainText(E2E_ADMIN.display_name);

  await page.goBack();
  await expect(page).toHaveURL(/\/audit$/);
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("at 390 px the sidebar is a menu", async ({ adminPage: page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await page.getByRole("button", { name: "Open menu" }).click();
  await expect(nav).toBeVisible();
  await nav.getByRole("link", { name: "Policies" }).click();
  await expect(page).toHaveURL(/\/policies$/);
  await expect(nav).toBeHidden();
});

// The admin pages at phone and desktop widths, in both themes: nothing may overflow sideways.
for (const width of [390, 1280]) {
  test(`admin pages fit ${width} px in both themes`, async ({ adminPage: page }) => {
    const errors = collectConsoleErrors(page);
    await page.setViewportSize({ width, height: 900 });
    for (const [path, heading] of [
      ["/users", "Users"],
      ["/me", "Me"],
      ["/approles", "AppRoles"],
      ["/policies", "Policies"],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expect(page.getByRole("status").filter({ hasText: "Loading" })).toHaveCount(0);
      for (const theme of ["light", "dark"] as const) {
        const current = await page.locator("html").getAttribute("data-theme");
        if (current !== theme) {
          await page.getByRole("button", { name: `Switch to ${theme} theme` }).click();
          await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
        }
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} overflows at ${width} px in the ${theme} theme`).toBeLessThanOrEqual(0);
      }
    }
    expect(errors).toEqual([]);
  });
}
