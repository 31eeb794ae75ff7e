import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./eden";

export const adminKeys = {
  all: ["admin"] as const,
  fingerprint: () => [...adminKeys.all, "key-fingerprint"] as const,
};

export const keyFingerprintQuery = () =>
  queryOptions({
    queryKey: adminKeys.fingerprint(),
    queryFn: ({ signal }) => unwrap(api.v1.admin["key-fingerprint"].get({ fetch: { signal } })),
  });

/** The key goes to the server once; the response carries only its fingerprint. */
export function useRotateKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (newMasterKey: string) =>
      unwrap(api.v1.admin["rotate-key"].post({ new_master_key: newMasterKey })),
    meta: { inlineError: true },
    onSuccess: (result) =>
      queryClient.setQueryData(adminKeys.fingerprint(), {
        fingerprint: result.fingerprint,
        algorithm: "HKDF-SHA256" as const,
        key_version: result.key_version,
      }),
  });
}

/** 32 random bytes as hex, from the browser's CSPRNG (the format GATEHOUSE_MASTER_KEY takes). */
export function generateMasterKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
