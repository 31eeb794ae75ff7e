import type { ConsoleMessage, Page } from "@playwright/test";

// Signed out, GET /v1/auth/session answers 401 by contract, and Chromium logs every failed
// response as a console error. That probe is always allowed; a test lists any other request it
// expects to fail (a wrong password, say) by pathname.
const failedRequest = (msg: ConsoleMessage, pathnames: readonly string[]) =>
  /the server responded with a status of \d+/.test(msg.text()) &&
  pathnames.includes(new URL(msg.location().url || "about:blank").pathname);

/** Collects console errors (CSP violations show up here) and uncaught page errors. */
export function collectConsoleErrors(page: Page, expectedFailures: readonly string[] = []): string[] {
  const allowed = ["/v1/auth/session", ...expectedFailures];
  const errors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !failedRequest(msg, allowed))
      errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}
