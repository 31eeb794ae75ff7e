import { queryOptions } from "@tanstack/react-query";
import { api, unwrap } from "./eden";

export const healthKeys = {
  all: ["health"] as const,
  current: () => [...healthKeys.all, "current"] as const,
};

export const healthQuery = () =>
  queryOptions({
    queryKey: healthKeys.current(),
    queryFn: ({ signal }) => unwrap(api.health.get({ fetch: { signal } })),
    refetchInterval: 30_000,
  });
