import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./eden";
import { linkKeys } from "./links";
import { policyKeys } from "./policies";

const fetchAppRoles = (signal?: AbortSignal) => unwrap(api.v1.auth.approle.get({ fetch: { signal } }));

export type AppRole = Awaited<ReturnType<typeof fetchAppRoles>>["roles"][number];
export type CreateAppRoleInput = Parameters<typeof api.v1.auth.approle.post>[0];
export type UpdateAppRoleInput = Parameters<ReturnType<typeof api.v1.auth.approle>["put"]>[0];
export type CreatedAppRole = Awaited<ReturnType<typeof createAppRole>>;

const createAppRole = (input: CreateAppRoleInput) => unwrap(api.v1.auth.approle.post(input));

export const appRoleKeys = {
  all: ["approles"] as const,
  list: () => [...appRoleKeys.all, "list"] as const,
};

export const appRolesQuery = () =>
  queryOptions({
    queryKey: appRoleKeys.list(),
    queryFn: ({ signal }) => fetchAppRoles(signal),
    select: (data) => data.roles,
  });

/** AppRoles reference policies (the inspector lists them) and own their links. */
function useInvalidateAppRoles() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: appRoleKeys.all }),
      queryClient.invalidateQueries({ queryKey: policyKeys.all }),
      queryClient.invalidateQueries({ queryKey: linkKeys.all }),
    ]);
}

export function useCreateAppRole() {
  const invalidate = useInvalidateAppRoles();
  return useMutation({ mutationFn: createAppRole, meta: { inlineError: true }, onSuccess: invalidate });
}

export function useUpdateAppRole() {
  const invalidate = useInvalidateAppRoles();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateAppRoleInput & { id: string }) =>
      unwrap(api.v1.auth.approle({ id }).put(input)),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useSuspendAppRole() {
  const invalidate = useInvalidateAppRoles();
  return useMutation({
    mutationFn: ({ id, suspended }: { id: string; suspended: boolean }) =>
      unwrap(api.v1.auth.approle({ id }).suspend.patch({ suspended })),
    onSuccess: invalidate,
  });
}

export function useRotateSecret() {
  const invalidate = useInvalidateAppRoles();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.v1.auth.approle({ id })["rotate-secret"].post()),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDeleteAppRole() {
  const invalidate = useInvalidateAppRoles();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.v1.auth.approle({ id }).delete()),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}
