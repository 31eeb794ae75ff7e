// Prometheus text exposition (format 0.0.4), hand-written: a few counters and histograms kept in
// memory, plus gauges read from the database at scrape time. Labels are bounded: HTTP routes are
// Elysia's route patterns (`/v1/requests/:id`), never concrete paths, which can carry one-time tokens.

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const AUDIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

type Labels = Record<string, string>;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};
// Label names are fixed per call site, so names and values in order identify a series (no JSON per call).
const seriesKey = (labels: Labels) => {
  let key = "";
  for (const k in labels) key += `${k}\u0000${labels[k]}\u0001`;
  return key;
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

type HistogramSeries = { labels: Labels; counts: number[]; sum: number; count: number };
type CounterSeries = { labels: Labels; value: number };

class Histogram {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: number[],
  ) {}
  /** One labelled series; callers on a hot path keep it instead of looking it up per sample. */
  at(labels: Labels): HistogramSeries {
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }
  observe(labels: Labels, value: number) {
    this.add(this.at(labels), value);
  }
  /** Counts go into the first bucket that holds the value; render() makes them cumulative. */
  add(s: HistogramSeries, value: number) {
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > (buckets[i] as number)) i++;
    if (i < buckets.length) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
  }
  render(out: string[]) {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i] ?? 0;
        out.push(`${this.name}_bucket${labelText({ ...s.labels, le: num(b) })} ${cumulative}`);
      });
      out.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
}

class Counter {
  private readonly series = new Map<string, CounterSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  at(labels: Labels): CounterSeries {
    const key = seriesKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, value: 0 };
      this.series.set(key, s);
    }
    return s;
  }
  inc(labels: Labels = {}, by = 1) {
    this.at(labels).value += by;
  }
  render(out: string[]) {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    for (const s of this.series.values()) out.push(`${this.name}${labelText(s.labels)} ${num(s.value)}`);
  }
}

/** One gauge family for `renderGauges`: its samples are computed at scrape time. */
export interface GaugeFamily {
  name: string;
  help: string;
  samples: { labels?: Labels; value: number }[];
}

export function renderGauges(families: GaugeFamily[], out: string[]) {
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) out.push(`${f.name}${labelText(s.labels ?? {})} ${num(s.value)}`);
  }
}

/** Health of one upstream MCP server, as the gateway reports it. */
export type UpstreamState = { up: boolean; transport?: string };

export interface Metrics {
  /** One finished HTTP request: `route` must be a route pattern (or "unmatched"). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One group commit of standalone audit entries. */
  observeAuditCommit(seconds: number, entries: number): void;
  /** An audit append that failed (the request it belonged to failed with 503). */
  auditFailed(): void;
  /**
   * The hook for the MCP gateway: report each upstream server's health as it changes
   * (`gatehouse_mcp_upstream_up{upstream}`), and forget it when the upstream is removed.
   */
  reportUpstream(name: string, state: UpstreamState): void;
  forgetUpstream(name: string): void;
  /** The in-memory families (counters, histograms, upstream health), rendered into `out`. */
  renderInto(out: string[]): void;
}

export function createMetrics(): Metrics {
  const requests = new Counter(
    "gatehouse_http_requests_total",
    "HTTP requests by method, route pattern and status code.",
  );
  const latency = new Histogram(
    "gatehouse_http_request_duration_seconds",
    "HTTP request latency by method and route pattern, until the response was handed to the socket.",
    HTTP_BUCKETS,
  );
  const auditCommit = new Histogram(
    "gatehouse_audit_commit_duration_seconds",
    "Time to commit one group of standalone audit entries (each request waits for its own entry).",
    AUDIT_BUCKETS,
  );
  const auditEntries = new Counter(
    "gatehouse_audit_group_commit_entries_total",
    "Audit entries committed through the group-commit queue.",
  );
  const auditFailures = new Counter(
    "gatehouse_audit_write_failures_total",
    "Audit appends that failed; the requests they belonged to answered 503.",
  );
  const upstreams = new Map<string, UpstreamState>();
  // Every request lands here: its series are found through maps keyed by the route pattern (the
  // same string object each time, so its hash is kept), method and status, without building a key.
  type RouteSeries = { latency: HistogramSeries; byStatus: Map<number, CounterSeries> };
  const byRoute = new Map<string, Map<string, RouteSeries>>();
  const routeSeries = (method: string, route: string): RouteSeries => {
    let methods = byRoute.get(route);
    if (!methods) {
      methods = new Map();
      byRoute.set(route, methods);
    }
    let s = methods.get(method);
    if (!s) {
      s = { latency: latency.at({ method, route }), byStatus: new Map() };
      methods.set(method, s);
    }
    return s;
  };
  return {
    observeRequest(method, route, status, seconds) {
      const m = METHODS.has(method) ? method : "OTHER";
      const s = routeSeries(m, route);
      let counter = s.byStatus.get(status);
      if (!counter) {
        counter = requests.at({ method: m, route, status: String(status) });
        s.byStatus.set(status, counter);
      }
      counter.value++;
      latency.add(s.latency, seconds);
    },
    observeAuditCommit(seconds, entries) {
      auditCommit.observe({}, seconds);
      auditEntries.inc({}, entries);
    },
    auditFailed() {
      auditFailures.inc();
    },
    reportUpstream(name, state) {
      upstreams.set(name, state);
    },
    forgetUpstream(name) {
      upstreams.delete(name);
    },
    renderInto(out) {
      requests.render(out);
      latency.render(out);
      auditCommit.render(out);
      auditEntries.render(out);
      auditFailures.render(out);
      renderGauges(
        [
          {
            name: "gatehouse_mcp_upstream_up",
            help: "Upstream MCP servers of the gateway: 1 when the last start or call succeeded.",
            samples: [...upstreams].map(([upstream, s]) => ({
              labels: { upstream, ...(s.transport ? { transport: s.transport } : {}) },
              value: s.up ? 1 : 0,
            })),
          },
        ],
        out,
      );
    },
  };
}
