import type { Capability, Policy } from "@gatehouse/core/policy";
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./eden";

export type PolicyListing = Awaited<ReturnType<typeof fetchPolicies>>;
export type ListedPolicy = PolicyListing["policies"][number];
export type ListedRule = ListedPolicy["rules"][number];
export type PolicySource = ListedPolicy["source"];

/** The body POST /v1/policy and PUT /v1/policy/:name take: snake_case approval, as in YAML files. */
export interface PolicyBody {
  name: string;
  description?: string;
  rules: Record<string, unknown>[];
}

export interface SimulateInput {
  approle?: string;
  user?: string;
  policies?: string[];
  capability: Exclude<Capability, "deny">;
  path: string;
  ip?: string;
}

const fetchPolicies = (signal?: AbortSignal) => unwrap(api.v1.policy.get({ fetch: { signal } }));

export const policyKeys = {
  all: ["policies"] as const,
  list: () => [...policyKeys.all, "list"] as const,
  simulation: (input: SimulateInput) => [...policyKeys.all, "simulate", input] as const,
};

export const policiesQuery = () =>
  queryOptions({
    queryKey: policyKeys.list(),
    queryFn: ({ signal }) => fetchPolicies(signal),
  });

/** Policy names for pickers (users and AppRoles), active ones only. */
export const policyNamesQuery = () =>
  queryOptions({
    ...policiesQuery(),
    select: (data: PolicyListing) => data.policies.filter((p) => p.active).map((p) => p.name),
  });

/**
 * The server's own decision for a what-if question. Kept in the policies domain, so editing a
 * policy re-asks the server about the question on screen.
 */
export const simulationQuery = (input: SimulateInput) =>
  queryOptions({
    queryKey: policyKeys.simulation(input),
    queryFn: () => unwrap(api.v1.policy.simulate.post(input)),
    staleTime: 0,
    meta: { inlineError: true },
  });

/** A listed policy back in core's shape, for buildIndex/authorize in the browser. */
export function toCorePolicy(p: ListedPolicy): Policy {
  return {
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    rules: p.rules.map((r) => ({
      paths: [...r.paths],
      capabilities: [...r.capabilities] as Capability[],
      ...(r.approval
        ? {
            approval: {
              required: r.approval.required,
              autoApproveFrom: [...r.approval.auto_approve_from],
              ...(r.approval.max_ttl ? { maxTtl: r.approval.max_ttl } : {}),
            },
          }
        : {}),
    })),
  };
}

/** A core Policy as the API and YAML files spell it. */
export function toPolicyBody(p: Policy): PolicyBody {
  return {
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    rules: p.rules.map((r) => ({
      paths: r.paths,
      capabilities: r.capabilities,
      ...(r.approval
        ? {
            approval: {
              required: r.approval.required,
              auto_approve_from: r.approval.autoApproveFrom,
              ...(r.approval.maxTtl ? { max_ttl: r.approval.maxTtl } : {}),
            },
          }
        : {}),
    })),
  };
}

function useInvalidatePolicies() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: policyKeys.all });
}

export function useCreatePolicy() {
  const invalidate = useInvalidatePolicies();
  return useMutation({
    mutationFn: (body: PolicyBody) => unwrap(api.v1.policy.post(body)),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useUpdatePolicy() {
  const invalidate = useInvalidatePolicies();
  return useMutation({
    mutationFn: ({ name, ...body }: PolicyBody) => unwrap(api.v1.policy({ name }).put(body)),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDeletePolicy() {
  const invalidate = useInvalidatePolicies();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.v1.policy({ name }).delete()),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useReloadPolicies() {
  const invalidate = useInvalidatePolicies();
  return useMutation({
    mutationFn: () => unwrap(api.v1.policy.reload.post()),
    onSuccess: invalidate,
  });
}
