import { CAPABILITIES, type Capability } from "@gatehouse/core/policy";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useMemo, useRef, useState } from "react";
import type { AppRole } from "../../../api/approles";
import { type ListedPolicy, type SimulateInput, simulationQuery } from "../../../api/policies";
import type { User } from "../../../api/users";
import { Field, SelectField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { PolicyPicker } from "../../../components/policy-picker";
import { DecisionView } from "./decision-view";
import { buildLocalIndex, disagreements, evaluateLocally, userPolicies } from "./simulate-local";

type SubjectKind = "approle" | "user" | "policies";
// "deny" is a rule's verdict, not something a request asks for.
const REQUESTABLE = CAPABILITIES.filter((c): c is Exclude<Capability, "deny"> => c !== "deny");

/** The policies the server would evaluate for the submitted subject (null if it vanished). */
function subjectPolicies(
  input: SimulateInput,
  approles: readonly AppRole[],
  users: readonly User[],
): string[] | null {
  if (input.approle) return approles.find((r) => r.role_id === input.approle)?.policies ?? null;
  if (input.user) {
    const u = users.find((x) => x.username === input.user);
    return u ? userPolicies(u.role, u.policies) : null;
  }
  return input.policies ?? null;
}

export interface SimulatorPreset {
  policies: string[];
  /** Bumped per request, so choosing the same policy twice re-applies it. */
  nonce: number;
}

interface Props {
  policies: readonly ListedPolicy[];
  approles: readonly AppRole[];
  users: readonly User[];
  preset: SimulatorPreset | null;
}

export function Simulator({ policies, approles, users, preset }: Props) {
  const [kind, setKind] = useState<SubjectKind>("approle");
  const [approle, setApprole] = useState("");
  const [user, setUser] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [submitted, setSubmitted] = useState<SimulateInput | null>(null);
  const pathRef = useRef<HTMLInputElement>(null);
  const names = policies.filter((p) => p.active).map((p) => p.name);

  useEffect(() => {
    if (!preset) return;
    setKind("policies");
    setChosen(preset.policies);
    pathRef.current?.focus();
  }, [preset]);

  const roleId = approle || approles[0]?.role_id || "";
  const username = user || users[0]?.username || "";

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const ip = String(data.get("ip") ?? "").trim();
    const base = {
      capability: String(data.get("capability")) as SimulateInput["capability"],
      path: String(data.get("path") ?? "").trim(),
      ...(ip ? { ip } : {}),
    };
    if (kind === "approle") setSubmitted({ approle: roleId, ...base });
    else if (kind === "user") setSubmitted({ user: username, ...base });
    else setSubmitted({ policies: chosen, ...base });
  };

  const local = useMemo(() => {
    if (!submitted) return null;
    const { index, error } = buildLocalIndex(policies);
    if (!index) return { error: `The listed policies do not build: ${error}` };
    const subject = subjectPolicies(submitted, approles, users);
    if (!subject) return { error: "That AppRole or user is not in the list any more." };
    return { decision: evaluateLocally(index, subject, submitted), subject };
  }, [submitted, policies, approles, users]);

  const server = useQuery({
    ...simulationQuery(submitted ?? { capability: "read", path: "-" }),
    enabled: submitted !== null,
  });
  const differences =
    local?.decision && server.data ? disagreements(local.decision, local.subject, server.data) : null;
  const cannotRun =
    (kind === "approle" && !roleId) ||
    (kind === "user" && !username) ||
    (kind === "policies" && chosen.length === 0);

  return (
    <section className="card" aria-labelledby="simulator-title" id="simulator">
      <h2 className="card-title" id="simulator-title">
        What-if simulator
      </h2>
      <p className="muted simulator-intro">
        Would this identity be allowed? Evaluated in your browser with the same code as the server, then
        confirmed by the server.
      </p>
      <form className="form" onSubmit={submit}>
        <div className="form-row">
          <SelectField
            label="Simulate as"
            value={kind}
            onChange={(e) => setKind(e.target.value as SubjectKind)}
            options={[
              { value: "approle", label: "An AppRole" },
              { value: "user", label: "A user" },
              { value: "policies", label: "A list of policies" },
            ]}
          />
          {kind === "approle" ? (
            <SelectField
              label="AppRole"
              value={roleId}
              onChange={(e) => setApprole(e.target.value)}
              disabled={approles.length === 0}
              options={
                approles.length === 0
                  ? [{ value: "", label: "No AppRoles yet" }]
                  : approles.map((r) => ({ value: r.role_id, label: r.display_name }))
              }
            />
          ) : kind === "user" ? (
            <SelectField
              label="User"
              value={username}
              onChange={(e) => setUser(e.target.value)}
              options={users.map((u) => ({ value: u.username, label: `${u.display_name} (${u.username})` }))}
            />
          ) : null}
        </div>
        {kind === "policies" ? (
          <PolicyPicker legend="Policies" available={names} value={chosen} onChange={setChosen} />
        ) : null}
        <div className="form-row simulator-row">
          <SelectField
            label="Capability"
            name="capability"
            defaultValue="read"
            options={REQUESTABLE.map((c) => ({ value: c, label: c }))}
          />
          <Field
            ref={pathRef}
            label="Path"
            name="path"
            required
            maxLength={512}
            spellCheck={false}
            placeholder="secret/prod/db"
            hint={
              <>
                Secret paths, or <code>mcp/&lt;server&gt;/&lt;tool&gt;</code> for MCP tools.
              </>
            }
          />
          <Field
            label="Client IP"
            name="ip"
            maxLength={64}
            spellCheck={false}
            placeholder="10.0.0.12"
            hint="Optional; decides auto-approval."
          />
        </div>
        <div>
          <button type="submit" className="button button-primary" disabled={cannotRun}>
            Simulate
          </button>
        </div>
      </form>

      {submitted && local ? (
        <section className="simulation" aria-label="Simulation result">
          {"error" in local ? <FormError error={new Error(local.error)} /> : null}
          {differences === null ? null : differences.length === 0 ? (
            <p className="agreement" role="status">
              The browser and the server agree.
            </p>
          ) : (
            <div className="callout callout-danger" role="alert">
              The browser and the server disagree on {differences.join(", ")}. The server's answer is the one
              that applies; reload the page if policies changed meanwhile.
            </div>
          )}
          <div className="decision-grid">
            {local.decision ? (
              <DecisionView
                label="In your browser"
                policies={policies}
                decision={{
                  allowed: local.decision.allowed,
                  approval: local.decision.approval,
                  maxTtl: local.decision.maxTtl ?? null,
                  policy: local.decision.reason.policy ?? null,
                  rule: local.decision.reason.rule ?? null,
                  glob: local.decision.reason.glob ?? null,
                  message: local.decision.reason.message,
                }}
              />
            ) : null}
            {server.data ? (
              <DecisionView
                label="On the server"
                policies={policies}
                decision={{
                  ...server.data.decision,
                  maxTtl: server.data.decision.max_ttl,
                  ...server.data.decision.reason,
                }}
              />
            ) : server.isError ? (
              <section className="decision" aria-label="On the server">
                <h3 className="decision-label">On the server</h3>
                <FormError error={server.error} />
              </section>
            ) : (
              <p className="muted" role="status">
                Asking the server…
              </p>
            )}
          </div>
        </section>
      ) : null}
    </section>
  );
}
