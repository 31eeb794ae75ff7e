// Policy documents (YAML or JSON) -> Policy, collecting every problem with a field path for the editor.

import { parseDocument } from "yaml";
import { GatehouseError } from "../errors";
import { parseCidr } from "./cidr";
import { globError } from "./glob";
import {
  type Approval,
  CAPABILITIES,
  type Capability,
  type Policy,
  type PolicyIssue,
  type Rule,
} from "./types";

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const POLICY_KEYS = new Set(["name", "description", "rules"]);
const RULE_KEYS = new Set(["path", "paths", "capabilities", "approval"]);
// snake_case is the documented spelling; camelCase lets a serialized Policy object round-trip.
const APPROVAL_KEYS: Record<string, string[]> = {
  required: ["required"],
  autoApproveFrom: ["auto_approve_from", "auto_approve_from_ip", "autoApproveFrom"],
  maxTtl: ["max_ttl", "maxTtl"],
};
const ALL_APPROVAL_KEYS = new Set(Object.values(APPROVAL_KEYS).flat());

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function decode(input: unknown, format: "yaml" | "json" | undefined, errors: PolicyIssue[]): unknown {
  if (typeof input !== "string") return input;
  if (format === "json") {
    try {
      return JSON.parse(input);
    } catch (e) {
      errors.push({ path: "", message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    }
  }
  // YAML is a superset of JSON, so it is also the default for strings.
  const doc = parseDocument(input, { prettyErrors: false });
  for (const e of doc.errors) errors.push({ path: "", message: `invalid YAML: ${e.message.split("\n")[0]}` });
  if (doc.errors.length) return undefined;
  // toJS throws (ReferenceError) on an unresolved alias or an alias bomb past maxAliasCount; that is
  // a bad document, not a server error (found by the fuzz suite: POST /v1/policy/validate answered 500).
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    errors.push({
      path: "",
      message: `invalid YAML: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`,
    });
    return undefined;
  }
}

function unknownKeys(o: Obj, allowed: Set<string>, at: string, errors: PolicyIssue[]) {
  for (const k of Object.keys(o)) {
    // Refuse typos like `aproval:` instead of silently dropping a restriction.
    if (!allowed.has(k)) errors.push({ path: at ? `${at}.${k}` : k, message: `unknown field "${k}"` });
  }
}

function validateApproval(raw: unknown, at: string, errors: PolicyIssue[]): Approval | undefined {
  if (!isObj(raw)) {
    errors.push({
      path: at,
      message: "must be a mapping like {required: true, auto_approve_from: [], max_ttl: 300}",
    });
    return undefined;
  }
  unknownKeys(raw, ALL_APPROVAL_KEYS, at, errors);
  const pick = (field: string): [string, unknown] | undefined => {
    const present = (APPROVAL_KEYS[field] ?? []).filter((k) => k in raw);
    if (present.length > 1)
      errors.push({ path: `${at}.${present[1]}`, message: `use only one of ${present.join(", ")}` });
    const key = present[0];
    return key === undefined ? undefined : [key, raw[key]];
  };
  // An approval block without `required` means approval: fail closed.
  let required = true;
  const req = pick("required");
  if (req) {
    if (typeof req[1] === "boolean") required = req[1];
    else errors.push({ path: `${at}.${req[0]}`, message: "must be true or false" });
  }
  const autoApproveFrom: string[] = [];
  const auto = pick("autoApproveFrom");
  if (auto) {
    const [key, v] = auto;
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list)) errors.push({ path: `${at}.${key}`, message: "must be a list of CIDRs" });
    else
      list.forEach((c, i) => {
        const r = typeof c === "string" ? parseCidr(c.trim()) : "must be a CIDR string";
        if (typeof r === "string") errors.push({ path: `${at}.${key}[${i}]`, message: r });
        else autoApproveFrom.push(String(c).trim());
      });
  }
  const approval: Approval = { required, autoApproveFrom };
  const ttl = pick("maxTtl");
  if (ttl) {
    const [key, v] = ttl;
    if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) approval.maxTtl = v;
    else errors.push({ path: `${at}.${key}`, message: "must be a positive whole number of seconds" });
  }
  return approval;
}

function validateRule(raw: unknown, at: string, errors: PolicyIssue[]): Rule | undefined {
  if (!isObj(raw)) {
    errors.push({ path: at, message: "must be a mapping with path(s) and capabilities" });
    return undefined;
  }
  unknownKeys(raw, RULE_KEYS, at, errors);
  const paths: string[] = [];
  if ("path" in raw && "paths" in raw)
    errors.push({ path: `${at}.paths`, message: "use either path or paths, not both" });
  if ("path" in raw) {
    const e = globError(raw.path);
    if (e) errors.push({ path: `${at}.path`, message: e });
    else paths.push(String(raw.path));
  } else if ("paths" in raw) {
    const list = raw.paths;
    if (!Array.isArray(list) || list.length === 0) {
      errors.push({ path: `${at}.paths`, message: "must be a non-empty list of globs" });
    } else
      list.forEach((g, i) => {
        const e = globError(g);
        if (e) errors.push({ path: `${at}.paths[${i}]`, message: e });
        else if (!paths.includes(String(g))) paths.push(String(g));
      });
  } else errors.push({ path: `${at}.paths`, message: "a rule needs path or paths" });

  const capabilities: Capability[] = [];
  const caps = raw.capabilities;
  if (!Array.isArray(caps) || caps.length === 0) {
    errors.push({
      path: `${at}.capabilities`,
      message: `must be a non-empty list of ${CAPABILITIES.join(", ")}`,
    });
  } else
    caps.forEach((c, i) => {
      const known = CAPABILITIES.find((k) => k === c);
      if (!known)
        errors.push({ path: `${at}.capabilities[${i}]`, message: `unknown capability ${JSON.stringify(c)}` });
      else if (!capabilities.includes(known)) capabilities.push(known);
    });

  const rule: Rule = { paths, capabilities };
  if ("approval" in raw && raw.approval !== null && raw.approval !== undefined) {
    const approval = validateApproval(raw.approval, `${at}.approval`, errors);
    if (approval) rule.approval = approval;
  }
  return rule;
}

/** Validate a policy document, returning every problem found (policy is set only when there are none). */
export function validatePolicy(
  input: unknown,
  format?: "yaml" | "json",
): { policy?: Policy; errors: PolicyIssue[] } {
  const errors: PolicyIssue[] = [];
  const raw = decode(input, format, errors);
  if (errors.length) return { errors };
  if (!isObj(raw))
    return { errors: [{ path: "", message: "a policy must be a mapping with name and rules" }] };
  unknownKeys(raw, POLICY_KEYS, "", errors);

  const name = typeof raw.name === "string" ? raw.name : "";
  if (!NAME.test(name)) errors.push({ path: "name", message: "must be 1-64 characters of a-z A-Z 0-9 _ -" });
  const policy: Policy = { name, rules: [] };
  if (raw.description !== undefined && raw.description !== null) {
    if (typeof raw.description === "string") policy.description = raw.description;
    else errors.push({ path: "description", message: "must be a string" });
  }
  if (!Array.isArray(raw.rules)) errors.push({ path: "rules", message: "must be a list of rules" });
  else
    raw.rules.forEach((r, i) => {
      const rule = validateRule(r, `rules[${i}]`, errors);
      if (rule) policy.rules.push(rule);
    });
  return errors.length ? { errors } : { policy, errors };
}

/** Parse and validate a policy; throws `policy_invalid` naming the first problem's field. */
export function parsePolicy(input: string | object, format?: "yaml" | "json"): Policy {
  const { policy, errors } = validatePolicy(input, format);
  const first = errors[0];
  if (first || !policy) {
    const at = first?.path ? `${first.path}: ` : "";
    throw new GatehouseError("policy_invalid", `${at}${first?.message ?? "invalid policy"}`, {
      field: first?.path ?? "",
      errors,
    });
  }
  return policy;
}
