import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import type { UserRole } from "./auth";
import { api, unwrap } from "./eden";
import { policyKeys } from "./policies";

export const USER_ROLES: readonly UserRole[] = ["admin", "approver", "viewer"];

const fetchUsers = (signal?: AbortSignal) => unwrap(api.v1.auth.users.get({ fetch: { signal } }));

export type User = Awaited<ReturnType<typeof fetchUsers>>["users"][number];
export type CreateUserInput = Parameters<typeof api.v1.auth.users.post>[0];
export type UpdateUserInput = Parameters<ReturnType<typeof api.v1.auth.users>["put"]>[0];

export const userKeys = {
  all: ["users"] as const,
  list: () => [...userKeys.all, "list"] as const,
};

export const usersQuery = () =>
  queryOptions({
    queryKey: userKeys.list(),
    queryFn: ({ signal }) => fetchUsers(signal),
    select: (data) => data.users,
  });

/** Users reference policies, so the inspector's "referenced by" lists change with them. */
function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: userKeys.all }),
      queryClient.invalidateQueries({ queryKey: policyKeys.all }),
    ]);
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (input: CreateUserInput) => unwrap(api.v1.auth.users.post(input)),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

/** `inlineError` for forms; quick row actions (enable toggle) leave the failure to the toast. */
export function useUpdateUser(options: { inlineError?: boolean } = {}) {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ username, ...input }: UpdateUserInput & { username: string }) =>
      unwrap(api.v1.auth.users({ username }).put(input)),
    meta: { inlineError: options.inlineError ?? false },
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (username: string) => unwrap(api.v1.auth.users({ username }).delete()),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}
