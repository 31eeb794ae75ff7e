import { defineConfig } from "@playwright/test";
import { BASE_URL, CHROMIUM } from "./env";

const CI = Boolean(process.env.CI);

export default defineConfig({
  testDir: "./tests",
  forbidOnly: CI,
  retries: CI ? 2 : 0,
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: "list",
  // Starts the real server (fresh data and config dirs) and stops it after the run.
  globalSetup: "./global-setup.ts",
  use: {
    baseURL: BASE_URL,
    browserName: "chromium",
    viewport: { width: 1280, height: 800 },
    trace: "on-first-retry",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  projects: [
    // Creates the first admin through the printed setup link (it works once per server), enrols
    // TOTP, and seeds the admin account the other specs sign in with.
    { name: "first-run", testMatch: /first-run\.setup\.ts$/ },
    // README screenshots on a freshly seeded vault, before the other specs add their test data.
    { name: "screenshots", testMatch: /screenshots\.spec\.ts$/, dependencies: ["first-run"] },
    {
      name: "app",
      testMatch: /\.spec\.ts$/,
      testIgnore: /screenshots\.spec\.ts$/,
      dependencies: ["first-run", "screenshots"],
    },
  ],
});
