import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch, isApiError, setCsrfToken } from "./client";

export type UserRole = "admin" | "approver" | "viewer";

export interface SessionUser {
  username: string;
  display_name: string;
  role: UserRole;
}

export interface Session {
  user: SessionUser;
  csrf_token: string;
}

export interface TotpChallenge {
  totp_required: true;
  totp_token: string;
}

export type SignInResult = Session | TotpChallenge;

export const isTotpChallenge = (result: SignInResult): result is TotpChallenge =>
  "totp_required" in result && result.totp_required === true;

export const isSession = (value: unknown): value is Session =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { csrf_token?: unknown }).csrf_token === "string" &&
  typeof (value as { user?: unknown }).user === "object";

export const sessionKeys = {
  all: ["session"] as const,
  current: () => [...sessionKeys.all, "current"] as const,
};

/** The signed-in session, or null when the cookie is missing or expired (401). */
export const sessionQuery = () =>
  queryOptions({
    queryKey: sessionKeys.current(),
    queryFn: async ({ signal }): Promise<Session | null> => {
      try {
        const session = await apiFetch<Session>("GET", "/v1/auth/session", undefined, { signal });
        setCsrfToken(session.csrf_token);
        return session;
      } catch (error) {
        // 401 is "not signed in"; 404 comes from servers that do not serve sessions yet.
        if (isApiError(error) && (error.status === 401 || error.status === 404)) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    // The route gate shows this failure itself, full page.
    meta: { inlineError: true },
  });

export const signInWithPassword = (input: { username: string; password: string }) =>
  apiFetch<SignInResult>("POST", "/v1/auth/session", input);

export const signInWithToken = (input: { token: string }) =>
  apiFetch<SignInResult>("POST", "/v1/auth/session/token", input);

export const verifyTotp = (input: { totp_token: string; code: string }) =>
  apiFetch<Session>("POST", "/v1/auth/session/totp", input);

/** Stores a freshly issued session: CSRF token in memory, user in the query cache. */
export function useStartSession(): (session: Session) => void {
  const queryClient = useQueryClient();
  return (session) => {
    setCsrfToken(session.csrf_token);
    queryClient.setQueryData(sessionKeys.current(), session);
  };
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    // The SSO route signs any web session out; for one that began at the IdP it also names the IdP's
    // end-session page, where the browser goes next so the IdP session ends too.
    mutationFn: () =>
      apiFetch<{ end_session_url: string | null }>("POST", "/v1/auth/oidc/logout").then((r) => {
        if (r?.end_session_url) window.location.assign(r.end_session_url);
      }),
    // Requests still in flight would come back 401 once the session is gone: abort them first.
    onMutate: () => queryClient.cancelQueries({ predicate: isUserQuery }),
    onSettled: () => {
      setCsrfToken(null);
      // The route gate observes the session entry: null sends it to sign-in, unmounting the page.
      queryClient.setQueryData(sessionKeys.current(), null);
      // Then drop everything fetched as this user, once the page is gone: removed while a page still
      // observes them, its queries would refetch (and fail) on its next render.
      setTimeout(() => queryClient.removeQueries({ predicate: isUserQuery }), 0);
    },
  });
}

/** Everything but the unauthenticated bootstrap and the session entry. */
const isUserQuery = (q: { queryKey: readonly unknown[] }) =>
  q.queryKey[0] !== "ui" && q.queryKey[0] !== "session";

// Sign-in forms show their errors inline (wrong password is not a toast-worthy event).
export const usePasswordSignIn = () =>
  useMutation({ mutationFn: signInWithPassword, meta: { inlineError: true } });

export const useTokenSignIn = () => useMutation({ mutationFn: signInWithToken, meta: { inlineError: true } });

export const useTotpVerification = () => useMutation({ mutationFn: verifyTotp, meta: { inlineError: true } });
