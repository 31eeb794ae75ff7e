import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { sessionKeys } from "./auth";
import { setCsrfToken } from "./client";
import { api, unwrap } from "./eden";

const fetchProfile = (signal?: AbortSignal) => unwrap(api.v1.me.get({ fetch: { signal } }));
const fetchTokens = (signal?: AbortSignal) => unwrap(api.v1.me.tokens.get({ fetch: { signal } }));
const fetchSessions = (signal?: AbortSignal) => unwrap(api.v1.auth.sessions.get({ fetch: { signal } }));

export type Profile = Awaited<ReturnType<typeof fetchProfile>>;
export type AccessToken = Awaited<ReturnType<typeof fetchTokens>>["tokens"][number];
export type SignedInSession = Awaited<ReturnType<typeof fetchSessions>>["sessions"][number];
export type TotpEnrollment = Awaited<ReturnType<typeof startTotpSetup>>;

const startTotpSetup = () => unwrap(api.v1.me.totp.setup.post());

export const meKeys = {
  all: ["me"] as const,
  profile: () => [...meKeys.all, "profile"] as const,
  totp: () => [...meKeys.all, "totp"] as const,
  tokens: () => [...meKeys.all, "tokens"] as const,
  sessions: () => [...meKeys.all, "sessions"] as const,
};

export const profileQuery = () =>
  queryOptions({ queryKey: meKeys.profile(), queryFn: ({ signal }) => fetchProfile(signal) });

export const totpStatusQuery = () =>
  queryOptions({
    queryKey: meKeys.totp(),
    queryFn: ({ signal }) => unwrap(api.v1.me.totp.get({ fetch: { signal } })),
  });

export const tokensQuery = () =>
  queryOptions({
    queryKey: meKeys.tokens(),
    queryFn: ({ signal }) => fetchTokens(signal),
    select: (data) => data.tokens,
  });

export const sessionsQuery = () =>
  queryOptions({
    queryKey: meKeys.sessions(),
    queryFn: ({ signal }) => fetchSessions(signal),
    select: (data) => data.sessions,
  });

function useInvalidateMe() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: meKeys.all });
}

// Every "me" form shows its own errors (a wrong code or password is not a toast-worthy event).
export function useStartTotpSetup() {
  return useMutation({ mutationFn: startTotpSetup, meta: { inlineError: true } });
}

export function useVerifyTotp() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (code: string) => unwrap(api.v1.me.totp.verify.post({ code })),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDisableTotp() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (password: string) => unwrap(api.v1.me.totp.delete({ password })),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useRegenerateRecoveryCodes() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (password: string) => unwrap(api.v1.me.totp["recovery-codes"].regenerate.post({ password })),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useChangePassword() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (input: { current_password: string; new_password: string }) =>
      unwrap(api.v1.me.password.put(input)),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useCreateToken() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (input: { name: string; expires_in_days?: number }) => unwrap(api.v1.me.tokens.post(input)),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useRevokeToken() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.v1.me.tokens({ id }).delete()),
    onSuccess: invalidate,
  });
}

export function useRevokeSession() {
  const invalidate = useInvalidateMe();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.v1.auth.sessions({ id }).delete()),
    onSuccess: invalidate,
  });
}

/** Ends every session and user token, this one included: the route gate then shows sign-in. */
export function useSignOutEverywhere() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.v1.auth.sessions.delete()),
    onSuccess: () => {
      setCsrfToken(null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "ui" && q.queryKey[0] !== "session" });
      queryClient.setQueryData(sessionKeys.current(), null);
    },
  });
}
