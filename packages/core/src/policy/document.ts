import type { Capability, Policy } from "./types";

/** A policy as the API and YAML files spell it (snake_case approval fields). */
export interface PolicyDocument {
  name: string;
  description?: string;
  rules: {
    paths: string[];
    capabilities: Capability[];
    approval?: { required: boolean; auto_approve_from: string[]; max_ttl?: number };
  }[];
}

/** The inverse of parsePolicy: parsing the result gives the same policy back. */
export function toDocument(p: Policy): PolicyDocument {
  return {
    name: p.name,
    ...(p.description ? { description: p.description } : {}),
    rules: p.rules.map((r) => ({
      paths: [...r.paths],
      capabilities: [...r.capabilities],
      ...(r.approval
        ? {
            approval: {
              required: r.approval.required,
              auto_approve_from: [...r.approval.autoApproveFrom],
              ...(r.approval.maxTtl ? { max_ttl: r.approval.maxTtl } : {}),
            },
          }
        : {}),
    })),
  };
}
