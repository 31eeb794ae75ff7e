import { CAPABILITIES, type Policy, type Rule } from "./types";

const rule: Rule = { paths: ["**"], capabilities: CAPABILITIES.filter((c) => c !== "deny") };

/** The built-in `admin` policy: every capability except deny, everywhere. Always present in an index. */
export const BUILTIN_ADMIN: Policy = {
  name: "admin",
  description: "Built-in: every capability on every path",
  rules: [rule],
};

// Frozen so no caller can widen or narrow the built-in by accident.
for (const o of [rule.paths, rule.capabilities, rule, BUILTIN_ADMIN.rules, BUILTIN_ADMIN]) Object.freeze(o);
