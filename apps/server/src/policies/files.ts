import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { flagChangedRules, type Policy, type RuleChange, validatePolicy } from "@gatehouse/core/policy";

export interface FilePolicy {
  policy: Policy;
  file: string;
  changed: RuleChange[];
}

export interface FileProblem {
  file: string;
  errors: { path: string; message: string }[];
}

/** Reads every `policies/*.yaml|yml|json` of the config directory; bad files are reported, never half-loaded. */
export function readPolicyFiles(configDir: string): { policies: FilePolicy[]; problems: FileProblem[] } {
  const dir = join(configDir, "policies");
  const policies: FilePolicy[] = [];
  const problems: FileProblem[] = [];
  if (!existsSync(dir)) return { policies, problems };
  for (const file of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, file), "utf8");
    } catch {
      problems.push({ file, errors: [{ path: "", message: "cannot be read" }] });
      continue;
    }
    const raw = file.endsWith(".json") ? safeJson(text) : text;
    const { policy, errors } = validatePolicy(raw, file.endsWith(".json") ? "json" : "yaml");
    if (!policy || errors.length > 0) {
      problems.push({ file, errors });
      continue;
    }
    // The old glob meaning is judged on the raw document, which may still hold Gatehouse-era globs.
    policies.push({ policy, file, changed: flagChangedRules(policy) });
  }
  return { policies, problems };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
