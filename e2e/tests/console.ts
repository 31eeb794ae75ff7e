import type { ConsoleMessage, Page } from "@playwright/test";

// Signed out, GET /v1/auth/session answers 401 by contract (404 until the route exists), and
// Chromium logs every failed response as a console error. That probe is the only one allowed.
const isSessionProbe = (msg: ConsoleMessage) =>
  /status of 40[14]/.test(msg.text()) &&
  new URL(msg.location().url || "about:blank").pathname === "/v1/auth/session";

/** Collects console errors (CSP violations show up here) and uncaught page errors. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !isSessionProbe(msg)) errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}
