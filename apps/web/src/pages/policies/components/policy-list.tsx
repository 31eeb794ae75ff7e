import type { ListedPolicy, PolicySource } from "../../../api/policies";
import { Badge, type BadgeTone } from "../../../components/badge";
import { ChipList } from "../../../components/chip-list";
import { DataTable } from "../../../components/data-table";

export const SOURCE_LABELS: Record<PolicySource, { label: string; tone: BadgeTone; title: string }> = {
  builtin: { label: "Built-in", tone: "accent", title: "Part of Gatehouse; cannot be changed" },
  yaml: { label: "File", tone: "info", title: "Read from a YAML file in the config directory" },
  db: { label: "Database", tone: "success", title: "Created in this UI or through the API" },
};

interface Props {
  policies: readonly ListedPolicy[];
  onOpen: (policy: ListedPolicy) => void;
  onDelete: (policy: ListedPolicy) => void;
  onSimulate: (policy: ListedPolicy) => void;
}

export function PolicyList({ policies, onOpen, onDelete, onSimulate }: Props) {
  return (
    <div className="policy-list">
      {policies.map((p) => (
        <PolicyItem
          key={`${p.source}:${p.name}`}
          policy={p}
          onOpen={() => onOpen(p)}
          onDelete={() => onDelete(p)}
          onSimulate={() => onSimulate(p)}
        />
      ))}
    </div>
  );
}

function PolicyItem({
  policy: p,
  onOpen,
  onDelete,
  onSimulate,
}: {
  policy: ListedPolicy;
  onOpen: () => void;
  onDelete: () => void;
  onSimulate: () => void;
}) {
  const source = SOURCE_LABELS[p.source];
  const titleId = `policy-${p.source}-${p.name}`;
  const changedByRule = new Map<number, string[]>();
  for (const c of p.changed_rules)
    changedByRule.set(c.rule, [...(changedByRule.get(c.rule) ?? []), c.message]);
  const refs = p.referenced_by;
  const editable = p.source === "db";

  return (
    <article className="policy-item" aria-labelledby={titleId}>
      <header className="policy-item-header">
        <div className="policy-item-title">
          <h3 id={titleId}>{p.name}</h3>
          <Badge tone={source.tone} title={source.title}>
            {source.label}
          </Badge>
          {p.active ? null : (
            <Badge tone="danger" title="A file policy with this name takes precedence">
              Inactive
            </Badge>
          )}
          {p.changed_rules.length > 0 ? (
            <Badge tone="warning" title="Globs whose meaning differs from Gatehouse's old matcher">
              {p.changed_rules.length} changed meaning{p.changed_rules.length === 1 ? "" : "s"}
            </Badge>
          ) : null}
        </div>
        <div className="button-row">
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={`${editable ? "Edit" : "View"} ${p.name}`}
            onClick={onOpen}
          >
            {editable ? "Edit" : "View"}
          </button>
          <button
            type="button"
            className="button button-ghost button-small"
            aria-label={`Simulate with ${p.name}`}
            onClick={onSimulate}
          >
            Simulate
          </button>
          {editable ? (
            <button
              type="button"
              className="button button-danger-ghost button-small"
              aria-label={`Delete ${p.name}`}
              onClick={onDelete}
            >
              Delete
            </button>
          ) : null}
        </div>
      </header>
      {p.description ? <p className="muted">{p.description}</p> : null}
      {p.file ? (
        <p className="cell-sub">
          File <code>{p.file}</code>
        </p>
      ) : null}
      <DataTable columns={["Rule", "Paths", "Capabilities", "Approval"]} className="rules-table">
        {p.rules.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rules are addressed by index (rules[i])
          <tr key={i}>
            <td data-label="Rule" className="mono">
              rules[{i}]
            </td>
            <td data-label="Paths">
              <ChipList items={r.paths} />
              {changedByRule.get(i)?.map((m) => (
                <p key={m} className="changed-note">
                  Changed meaning: {m}
                </p>
              ))}
            </td>
            <td data-label="Capabilities">
              <span className="chips">
                {r.capabilities.map((c) => (
                  <span key={c} className={c === "deny" ? "chip chip-deny" : "chip"}>
                    {c}
                  </span>
                ))}
              </span>
            </td>
            <td data-label="Approval">
              {r.approval ? (
                <span className="cell-main">
                  <span>{r.approval.required ? "Required" : "Not required"}</span>
                  {r.approval.auto_approve_from.length > 0 ? (
                    <span className="cell-sub">Auto from {r.approval.auto_approve_from.join(", ")}</span>
                  ) : null}
                  {r.approval.max_ttl ? (
                    <span className="cell-sub">Max TTL {r.approval.max_ttl} s</span>
                  ) : null}
                </span>
              ) : (
                <span className="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <p className="policy-refs">
        <span className="muted">Used by </span>
        {refs.approles.length === 0 && refs.users.length === 0 ? (
          <span className="muted">nobody yet</span>
        ) : (
          <>
            {refs.approles.length > 0 ? (
              <span>
                AppRoles: {refs.approles.map((r) => r.display_name).join(", ")}
                {refs.users.length > 0 ? "; " : ""}
              </span>
            ) : null}
            {refs.users.length > 0 ? <span>Users: {refs.users.join(", ")}</span> : null}
          </>
        )}
      </p>
    </article>
  );
}
