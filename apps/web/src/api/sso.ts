import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./eden";
import { uiKeys } from "./ui";

const fetchSso = (signal?: AbortSignal) => unwrap(api.v1.settings.sso.get({ fetch: { signal } }));

/** The SSO settings as the server shows them: the client secret blanked, `client_secret_set` beside it. */
export type SsoSettings = Awaited<ReturnType<typeof fetchSso>>;
export type SsoSettingsInput = Parameters<typeof api.v1.settings.sso.post>[0];
export type SsoTestResult = Awaited<ReturnType<typeof testSso>>;

const testSso = (issuer: string | undefined) =>
  unwrap(api.v1.settings.sso.test.post(issuer ? { issuer } : {}));

/** Where the IdP sends the browser back; the server derives it the same way when the field is blank. */
export const CALLBACK_PATH = "/v1/auth/oidc/callback";

export const ssoKeys = {
  all: ["sso"] as const,
  settings: () => [...ssoKeys.all, "settings"] as const,
};

export const ssoSettingsQuery = () =>
  queryOptions({
    queryKey: ssoKeys.settings(),
    queryFn: ({ signal }) => fetchSso(signal),
    meta: { inlineError: true },
  });

export function useSaveSso() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SsoSettingsInput) => unwrap(api.v1.settings.sso.post(input)),
    meta: { inlineError: true },
    onSuccess: (saved) => {
      queryClient.setQueryData(ssoKeys.settings(), saved);
      // The sign-in page reads `sso_enabled` from the bootstrap document.
      return queryClient.invalidateQueries({ queryKey: uiKeys.bootstrap() });
    },
  });
}

/** OIDC discovery against the issuer in the form (or the stored one when blank). */
export function useTestSso() {
  return useMutation({ mutationFn: testSso, meta: { inlineError: true } });
}

/** Readable text for the codes the OIDC callback sends to `/signin?error=<code>`. */
export const SSO_ERROR_MESSAGES: Record<string, string> = {
  invalid_state:
    "The single sign-on attempt expired or was started in another tab. Start it again from this page.",
  access_denied: "The sign-in was cancelled at your identity provider.",
  idp_error:
    "Your identity provider refused the sign-in. Try again, or ask an admin to check the SSO settings.",
  idp_unavailable:
    "Gatehouse could not reach your identity provider. Try again shortly, or ask an admin to check the SSO settings.",
  email_missing:
    "Your identity provider did not share an email address, so Gatehouse cannot tell which account is yours.",
  email_not_verified:
    "Your identity provider says your email address is not verified. Verify it there, then try again.",
  ambiguous_email:
    "More than one Gatehouse account uses your email address. Ask an admin to make the addresses unique.",
  no_account: "No Gatehouse account matches your email address. Ask an admin to create one for you.",
  account_disabled: "Your Gatehouse account is disabled. Ask an admin to enable it.",
  rate_limited: "Too many failed single sign-on attempts from this address. Wait a minute, then try again.",
  sso_failed: "Single sign-on failed. Try again, or sign in with your password.",
};

export const ssoErrorMessage = (code: string): string =>
  SSO_ERROR_MESSAGES[code] ?? "Single sign-on failed. Try again, or sign in with your password.";
