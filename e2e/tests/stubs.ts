// Route stubs for screens whose server endpoints land in later issues (sessions, setup).
// Replace a stub with the real endpoint as soon as it exists: these only pin the SPA's side.
import type { Page, Request, Route } from "@playwright/test";

export const stubUser = { username: "ada", display_name: "Ada Lovelace", role: "admin" } as const;
export const STUB_CSRF = "csrf-e2e";

export interface Bootstrap {
  setup_required: boolean;
  dev_mode: boolean;
  root_token_set: boolean;
  sso_enabled: boolean;
  version: string;
}

export const defaultBootstrap: Bootstrap = {
  setup_required: false,
  dev_mode: false,
  root_token_set: true,
  sso_enabled: true,
  version: "e2e",
};

/** `bootstrap` is read on every request, so a test can flip `setup_required` mid-way. */
export async function stubBootstrap(page: Page, bootstrap: Bootstrap): Promise<void> {
  await page.route("**/v1/ui/bootstrap", (route) => route.fulfill({ json: bootstrap }));
}

export const envelope = (status: number, code: string, error: string, requestId: string) => ({
  status,
  headers: { "x-request-id": requestId },
  json: { error, code, request_id: requestId },
});

type Handler = (request: Request) => Parameters<Route["fulfill"]>[0];

/** Answers each method of a path with a handler; records every request it saw. */
export async function stubRoute(page: Page, path: string, handlers: Partial<Record<string, Handler>>) {
  const seen: Request[] = [];
  await page.route(`**${path}`, (route) => {
    const request = route.request();
    seen.push(request);
    const handler = handlers[request.method()];
    return handler
      ? route.fulfill(handler(request))
      : route.fulfill(envelope(405, "method_not_allowed", "No", "req_405"));
  });
  return seen;
}
