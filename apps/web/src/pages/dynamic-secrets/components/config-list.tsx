import type { ConfigSummary, ProviderInfo } from "../../../api/dynamic";
import { Link } from "../../../lib/router";
import { PROVIDER_ORDER, summary } from "./fields";

interface Props {
  configs: readonly ConfigSummary[];
  providers: readonly ProviderInfo[];
  selected: string | null;
  hrefOf: (path: string) => string;
}

/** Configurations grouped by provider type, each a link that selects it. */
export function ConfigList({ configs, providers, selected, hrefOf }: Props) {
  const groups = PROVIDER_ORDER.map((type) => ({
    type,
    label: providers.find((p) => p.type === type)?.label ?? type,
    items: configs.filter((c) => c.provider_type === type),
  })).filter((g) => g.items.length > 0);
  return (
    <nav className="dynamic-list" aria-label="Dynamic secret configurations">
      {groups.map((g) => (
        <section key={g.type} className="dynamic-group" aria-labelledby={`dynamic-group-${g.type}`}>
          <h2 id={`dynamic-group-${g.type}`} className="dynamic-group-title">
            {g.label} <span className="count-pill">{g.items.length}</span>
          </h2>
          <ul className="plain-list">
            {g.items.map((c) => (
              <li key={c.path}>
                <Link
                  to={hrefOf(c.path)}
                  className="dynamic-item"
                  aria-current={c.path === selected ? "true" : undefined}
                >
                  <span className="dynamic-item-path mono">{c.path}</span>
                  <span className="cell-sub">{summary(c.provider_type, c.metadata)}</span>
                  <span
                    className={c.active_leases > 0 ? "dynamic-item-leases is-live" : "dynamic-item-leases"}
                  >
                    {c.active_leases} live lease{c.active_leases === 1 ? "" : "s"}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
