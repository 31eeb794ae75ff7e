import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { toast } from "../lib/toast";
import { sessionKeys } from "./auth";
import { isApiError, setCsrfToken } from "./client";

export interface RequestMeta extends Record<string, unknown> {
  /** The caller renders the error next to the form, so the global toast stays quiet. */
  inlineError?: boolean;
}

declare module "@tanstack/react-query" {
  interface Register {
    queryMeta: RequestMeta;
    mutationMeta: RequestMeta;
  }
}

function reportError(error: Error, meta: RequestMeta | undefined): void {
  if (isApiError(error) && error.status === 401 && queryClient.getQueryData(sessionKeys.current())) {
    // The session ended server-side (expiry, sign out elsewhere, user disabled): back to sign-in.
    setCsrfToken(null);
    queryClient.setQueryData(sessionKeys.current(), null);
    toast.info("Your session has ended. Sign in again to continue.");
    return;
  }
  if (meta?.inlineError) return;
  toast.error(error.message, isApiError(error) ? error.requestId : null);
}

const isClientError = (error: unknown) => isApiError(error) && error.status >= 400 && error.status < 500;

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, query) => reportError(error, query.meta) }),
  mutationCache: new MutationCache({
    onError: (error, _variables, _result, mutation) => reportError(error, mutation.meta),
  }),
  defaultOptions: {
    queries: {
      retry: (failureCount, error) => !isClientError(error) && failureCount < 2,
      refetchOnWindowFocus: false,
      staleTime: 30_000,
    },
    mutations: { retry: false },
  },
});
