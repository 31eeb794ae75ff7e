import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./client";
import { api, unwrap } from "./eden";

const fetchLinks = (roleId: string, signal?: AbortSignal) =>
  unwrap(api.v1.onboard.get({ query: { role_id: roleId, include_consumed: true }, fetch: { signal } }));

export type OnboardLink = Awaited<ReturnType<typeof fetchLinks>>["tokens"][number];
export type LinkKind = "onboard" | "rotate";
export interface CreateLinkInput {
  role_id: string;
  ttl_seconds: number;
  label?: string;
}
/** A freshly created link, either kind: `url` is shown once (only its hash is stored). */
export interface CreatedLink {
  kind: LinkKind;
  id: string;
  url: string;
  expires_at: string;
  role_display_name: string;
  policies: string[];
}

export const linkKeys = {
  all: ["links"] as const,
  forRole: (roleId: string) => [...linkKeys.all, "role", roleId] as const,
};

export const roleLinksQuery = (roleId: string) =>
  queryOptions({
    queryKey: linkKeys.forRole(roleId),
    queryFn: ({ signal }) => fetchLinks(roleId, signal),
    select: (data) => data.tokens,
    // Agents exchange links on their own: keep the status fresh while the list is on screen.
    staleTime: 0,
    refetchInterval: 10_000,
  });

async function createLink(kind: LinkKind, input: CreateLinkInput): Promise<CreatedLink> {
  if (kind === "onboard") {
    const { onboard_url, token: _token, ...link } = await unwrap(api.v1.onboard.post(input));
    return { kind, ...link, url: onboard_url };
  }
  const { rotate_url, token: _token, ...link } = await unwrap(api.v1.rotate.post(input));
  return { kind, ...link, url: rotate_url };
}

function useInvalidateLinks() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: linkKeys.all });
}

export function useCreateLink() {
  const invalidate = useInvalidateLinks();
  return useMutation({
    mutationFn: ({ kind, ...input }: CreateLinkInput & { kind: LinkKind }) => createLink(kind, input),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useRevokeLink() {
  const invalidate = useInvalidateLinks();
  return useMutation({
    // apiFetch: `/v1/onboard/:id` shares its position with `:token`, which Eden cannot tell apart.
    mutationFn: (id: string) =>
      apiFetch<{ id: string; revoked: boolean }>("DELETE", `/v1/onboard/${encodeURIComponent(id)}`),
    // Shown inside the onboarding dialog, above which a toast would not be visible.
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}
