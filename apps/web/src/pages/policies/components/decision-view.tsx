import type { ListedPolicy } from "../../../api/policies";
import { Badge } from "../../../components/badge";

export interface DecisionLike {
  allowed: boolean;
  approval: string;
  maxTtl: number | null;
  policy: string | null;
  rule: number | null;
  glob: string | null;
  message: string;
}

const APPROVAL: Record<string, string> = {
  none: "No approval needed",
  required: "A human must approve",
  auto: "Auto-approved by source IP",
};

/** One side of the simulator's answer: verdict, deciding policy and rule, and the reason. */
export function DecisionView({
  label,
  decision,
  policies,
}: {
  label: string;
  decision: DecisionLike;
  policies: readonly ListedPolicy[];
}) {
  const policy = decision.policy ? policies.find((p) => p.name === decision.policy && p.active) : undefined;
  const rule = policy && decision.rule !== null ? policy.rules[decision.rule] : undefined;
  return (
    <section
      className={decision.allowed ? "decision decision-allowed" : "decision decision-denied"}
      aria-label={label}
    >
      <h3 className="decision-label">{label}</h3>
      <p className="decision-verdict">
        <Badge tone={decision.allowed ? "success" : "danger"}>
          {decision.allowed ? "Allowed" : "Denied"}
        </Badge>
        {decision.allowed ? (
          <span className="muted">{APPROVAL[decision.approval] ?? decision.approval}</span>
        ) : null}
        {decision.maxTtl ? <span className="muted">max TTL {decision.maxTtl} s</span> : null}
      </p>
      <dl className="facts">
        <dt>Deciding policy</dt>
        <dd>{decision.policy ?? <span className="muted">none: no rule matched</span>}</dd>
        {decision.rule !== null ? (
          <>
            <dt>Deciding rule</dt>
            <dd>
              <code>rules[{decision.rule}]</code>
              {rule ? (
                <span className="muted">
                  {" "}
                  {rule.capabilities.join(", ")} on {rule.paths.join(", ")}
                </span>
              ) : null}
            </dd>
          </>
        ) : null}
        {decision.glob ? (
          <>
            <dt>Matching glob</dt>
            <dd>
              <code>{decision.glob}</code>
            </dd>
          </>
        ) : null}
        <dt>Reason</dt>
        <dd>{decision.message}</dd>
      </dl>
    </section>
  );
}
