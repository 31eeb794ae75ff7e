// YAML in and out of the editor, and field paths (`rules[0].capabilities[1]`) back to lines.
import type { Policy } from "@gatehouse/core/policy";
import { isNode, parseDocument, stringify } from "yaml";
import { type ListedPolicy, toCorePolicy, toPolicyBody } from "../../../api/policies";

export const NEW_POLICY_TEMPLATE = `name: my-policy
description: What this policy is for
rules:
  - paths: ["secret/my-app/**"]
    capabilities: [read, list]
`;

export function policyToYaml(p: ListedPolicy | Policy): string {
  const core = "source" in p ? toCorePolicy(p) : p;
  return stringify(toPolicyBody(core), { lineWidth: 0, flowCollectionPadding: false });
}

/** `rules[0].capabilities[1]` → ["rules", 0, "capabilities", 1]. */
export function splitFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    out.push(part.startsWith("[") ? Number(part.slice(1, -1)) : part);
  }
  return out;
}

/** The 1-based line a field path points at in `text`, if the YAML parses that far. */
export function lineOf(text: string, path: string): number | null {
  if (!path) return null;
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) return null;
  const parts = splitFieldPath(path);
  // An unknown key points at the key itself; anything else at its value.
  for (let n = parts.length; n > 0; n--) {
    const node = doc.getIn(parts.slice(0, n), true);
    if (isNode(node) && node.range) return text.slice(0, node.range[0]).split("\n").length;
  }
  return null;
}

/** The line of a YAML syntax error ("... at line 3, column 5"), when the parser names one. */
export function lineOfSyntaxError(message: string): number | null {
  const m = /line (\d+)/.exec(message);
  return m ? Number(m[1]) : null;
}
