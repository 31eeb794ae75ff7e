import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./eden";

/** Unauthenticated facts the SPA needs before sign-in: which page to show and which banners. */
export type UiBootstrap = Awaited<ReturnType<typeof fetchBootstrap>>;

const fetchBootstrap = (signal: AbortSignal) => unwrap(api.v1.ui.bootstrap.get({ fetch: { signal } }));

export const uiKeys = {
  all: ["ui"] as const,
  bootstrap: () => [...uiKeys.all, "bootstrap"] as const,
};

export const bootstrapQuery = () =>
  queryOptions({
    queryKey: uiKeys.bootstrap(),
    queryFn: ({ signal }) => fetchBootstrap(signal),
    staleTime: 5 * 60_000,
    // The route gate shows this failure itself, full page.
    meta: { inlineError: true },
  });
