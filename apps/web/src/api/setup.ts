import { useMutation, useQueryClient } from "@tanstack/react-query";
import { isSession, useStartSession } from "./auth";
import { apiFetch } from "./client";
import { type UiBootstrap, uiKeys } from "./ui";

export interface SetupInput {
  setup_token: string;
  username: string;
  password: string;
  display_name: string;
  email: string;
}

export const createFirstAdmin = (input: SetupInput) => apiFetch<unknown>("POST", "/v1/setup", input);

export function useCreateFirstAdmin() {
  const queryClient = useQueryClient();
  const startSession = useStartSession();
  return useMutation({
    mutationFn: createFirstAdmin,
    meta: { inlineError: true },
    onSuccess: async (result) => {
      // If the server signs the new admin in straight away, keep that session.
      if (isSession(result)) startSession(result);
      queryClient.setQueryData<UiBootstrap>(uiKeys.bootstrap(), (old) =>
        old ? { ...old, setup_required: false } : old,
      );
      await queryClient.invalidateQueries({ queryKey: uiKeys.all });
    },
  });
}
