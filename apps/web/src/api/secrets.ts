import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./client";
import { api, unwrap } from "./eden";
import { leaseKeys } from "./leases";

const fetchSecrets = (prefix: string, signal?: AbortSignal) =>
  unwrap(api.v1.secrets.get({ query: prefix ? { prefix } : {}, fetch: { signal } }));

export type SecretView = Awaited<ReturnType<typeof fetchSecrets>>["secrets"][number];
export type Metadata = Record<string, string>;

export interface SecretVersion {
  version: number;
  metadata: Metadata;
  created_at: string;
  archived_at: string | null;
  current: boolean;
}

export interface RevealedValue {
  path: string;
  value: string;
  version: number;
}

/** A read that a policy gates behind a human: the server answered 202 with a request to wait on. */
export interface PendingRead {
  request_id: string;
  status: "pending";
  expires_at: string;
}

export type RevealResult =
  | { kind: "value"; value: RevealedValue }
  | { kind: "pending"; pending: PendingRead };

/** Keys the proxy uses to decide where a secret may go: only `admin` on the path may change them. */
export const SECURITY_METADATA_KEYS: ReadonlySet<string> = new Set([
  "allowed_domains",
  "allowed_path_prefixes",
  "allow_private",
  "allow_body_injection",
  "header_name",
  "auth_scheme",
]);

export const isSecurityKey = (key: string) => SECURITY_METADATA_KEYS.has(key);

/** `a/b c` → `/v1/secrets/a/b%20c`: each segment encoded, the slashes kept. */
export const secretUrl = (path: string, suffix = "") =>
  `/v1/secrets/${path.split("/").map(encodeURIComponent).join("/")}${suffix}`;

export const secretKeys = {
  all: ["secrets"] as const,
  lists: () => [...secretKeys.all, "list"] as const,
  list: (prefix: string) => [...secretKeys.lists(), prefix] as const,
  detail: (path: string) => [...secretKeys.all, "detail", path] as const,
  versions: (path: string) => [...secretKeys.all, "versions", path] as const,
};

export const secretsQuery = (prefix = "") =>
  queryOptions({
    queryKey: secretKeys.list(prefix),
    queryFn: ({ signal }) => fetchSecrets(prefix, signal),
    select: (data) => data.secrets,
  });

export const secretQuery = (path: string) =>
  queryOptions({
    queryKey: secretKeys.detail(path),
    queryFn: ({ signal }) => apiFetch<SecretView>("GET", secretUrl(path), undefined, { signal }),
    meta: { inlineError: true },
  });

export const secretVersionsQuery = (path: string) =>
  queryOptions({
    queryKey: secretKeys.versions(path),
    queryFn: ({ signal }) =>
      apiFetch<{ versions: SecretVersion[] }>("GET", secretUrl(path, "/versions"), undefined, { signal }),
    select: (data) => data.versions,
    meta: { inlineError: true },
  });

const isPending = (body: unknown): body is PendingRead =>
  typeof body === "object" &&
  body !== null &&
  (body as { status?: unknown }).status === "pending" &&
  typeof (body as { request_id?: unknown }).request_id === "string";

/**
 * Reads the current value (or version `n`). Values never enter the query cache: the caller holds
 * them in component state and drops them when the panel closes.
 */
export async function revealSecret(path: string, version?: number): Promise<RevealResult> {
  const suffix = version === undefined ? "/value" : `/versions/${version}`;
  const body = await apiFetch<RevealedValue | PendingRead>("GET", secretUrl(path, suffix));
  return isPending(body) ? { kind: "pending", pending: body } : { kind: "value", value: body };
}

function useInvalidateSecrets() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: secretKeys.all }),
      // Deleting a secret revokes its leases.
      queryClient.invalidateQueries({ queryKey: leaseKeys.all }),
    ]);
}

export interface WriteSecretInput {
  path: string;
  value: string;
  metadata: Metadata;
}

export function useWriteSecret() {
  const invalidate = useInvalidateSecrets();
  return useMutation({
    mutationFn: ({ path, value, metadata }: WriteSecretInput) =>
      apiFetch<SecretView>("POST", secretUrl(path), { value, metadata }),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export interface EditSecretInput {
  path: string;
  /** Empty keeps the current value. */
  value: string;
  before: Metadata;
  after: Metadata;
  /** Admins see every key, so they can send the whole map; others only change what they see. */
  isAdmin: boolean;
}

/** RFC 7386 on a flat map: changed or added keys, and null for removed ones. */
export function metadataPatch(before: Metadata, after: Metadata): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) patch[key] = value;
  return patch;
}

/**
 * A new value and/or metadata. Non-admins never see security keys, so their metadata changes go
 * as a merge patch that leaves the hidden keys alone.
 */
async function editSecret({
  path,
  value,
  before,
  after,
  isAdmin,
}: EditSecretInput): Promise<SecretView | null> {
  const patch = metadataPatch(before, after);
  const metadataChanged = Object.keys(patch).length > 0;
  if (value !== "" && (isAdmin || !metadataChanged)) {
    return apiFetch<SecretView>("POST", secretUrl(path), isAdmin ? { value, metadata: after } : { value });
  }
  let view: SecretView | null = null;
  if (value !== "") view = await apiFetch<SecretView>("POST", secretUrl(path), { value });
  if (metadataChanged) {
    view = await apiFetch<SecretView>(
      "PATCH",
      secretUrl(path),
      { metadata: patch },
      {
        contentType: "application/merge-patch+json",
      },
    );
  }
  return view;
}

export function useEditSecret() {
  const invalidate = useInvalidateSecrets();
  return useMutation({ mutationFn: editSecret, meta: { inlineError: true }, onSuccess: invalidate });
}

export function useRollbackSecret() {
  const invalidate = useInvalidateSecrets();
  return useMutation({
    mutationFn: ({ path, version }: { path: string; version: number }) =>
      apiFetch<SecretView>("POST", secretUrl(path, "/rollback"), { version }),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDeleteSecret() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (path: string) =>
      apiFetch<{ deleted: true; path: string; leases_revoked: number }>("DELETE", secretUrl(path)),
    meta: { inlineError: true },
    onSuccess: (_result, path) => {
      // The secret is gone: drop its entries rather than refetch them into a 404.
      queryClient.removeQueries({ queryKey: secretKeys.detail(path) });
      queryClient.removeQueries({ queryKey: secretKeys.versions(path) });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: secretKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: leaseKeys.all }),
      ]);
    },
  });
}

export interface BulkImportInput {
  prefix: string;
  env_text: string;
  dry_run: boolean;
}

export type BulkImportResult =
  | { dry_run: true; would_import: string[] }
  | { imported_count: number; paths: string[] };

export function useBulkImport() {
  const invalidate = useInvalidateSecrets();
  return useMutation({
    mutationFn: (input: BulkImportInput) => apiFetch<BulkImportResult>("POST", "/v1/secrets-bulk", input),
    meta: { inlineError: true },
    onSuccess: (result) => ("dry_run" in result ? undefined : invalidate()),
  });
}
