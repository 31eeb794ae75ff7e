// Policy check latency with 10,000 rules across 500 policies; prints one JSON line for the bench runner.

import {
  authorize,
  buildIndex,
  type Capability,
  type Policy,
  type Rule,
} from "../packages/core/src/policy/index.ts";

const POLICIES = 500;
const RULES_PER_POLICY = 20;
const CHECKS = 200_000;
const WARMUP = 20_000;

// Deterministic PRNG so runs are comparable.
let seed = 0x9e3779b9;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const TEAMS = Array.from({ length: 60 }, (_, i) => `team-${i}`);
const APPS = Array.from({ length: 40 }, (_, i) => `app${i}`);
const ENVS = ["dev", "staging", "prod"];
const KEYS = ["api-key", "db-password", "token", "webhook", "config", "cert"];
const SERVERS = ["github", "slack", "jira", "linear", "notion", "postgres"];
const TOOLS = ["read_file", "create_issue", "list_repos", "delete_repo", "read_channel", "post_message"];

function ruleFor(team: string, k: number): Rule {
  const app = pick(APPS);
  const env = pick(ENVS);
  const approval = { required: true, autoApproveFrom: ["10.0.0.0/8"], maxTtl: 300 + k };
  switch (k % 10) {
    case 0:
      return { paths: [`secrets/${team}/${app}/*`], capabilities: ["read", "list"] };
    case 1:
      return { paths: [`secrets/${team}/${app}/**`], capabilities: ["write", "read"] };
    case 2:
      return { paths: [`secrets/${team}/shared/**`], capabilities: ["read"] };
    case 3:
      return { paths: [`secrets/${team}/${app}/prod/**`], capabilities: ["deny"] };
    case 4:
      return { paths: [`db/${team}-*/creds`, `db/${team}-*/ro`], capabilities: ["lease"], approval };
    case 5:
      return { paths: [`mcp/${pick(SERVERS)}/*`], capabilities: ["call"] };
    case 6:
      return { paths: [`mcp/*/read_*`], capabilities: ["call"], approval };
    case 7:
      return { paths: [`kv/${team}/${app}/${env}/${pick(KEYS)}`], capabilities: ["read"] };
    case 8:
      return { paths: [`ci/${team}/*/deploy-*`], capabilities: ["proxy"] };
    default:
      return {
        paths: [k % 20 === 9 ? `**/${app}/config` : `ops/${team}/**`],
        capabilities: ["list", "admin"],
      };
  }
}

const policies: Policy[] = Array.from({ length: POLICIES }, (_, i) => {
  const team = TEAMS[i % TEAMS.length] ?? "team";
  return { name: `p${i}`, rules: Array.from({ length: RULES_PER_POLICY }, (_, k) => ruleFor(team, k)) };
});
const index = buildIndex(policies);

const actorIds = Array.from({ length: 20 }, () => Math.floor(rand() * POLICIES));
const actorPolicies = actorIds.map((i) => `p${i}`);
const actorTeams = actorIds.map((i) => TEAMS[i % TEAMS.length] ?? "team");
const actor = { policies: actorPolicies, ip: "10.1.2.3" };

// A concrete path one of the actor's own globs matches: `*` -> a word, `**` -> one or two segments.
function instantiate(glob: string): string {
  return glob
    .split("/")
    .map((s) =>
      s === "**"
        ? rand() < 0.5
          ? pick(KEYS)
          : `${pick(ENVS)}/${pick(KEYS)}`
        : s.replaceAll("*", pick(ENVS)),
    )
    .join("/");
}

const CAPS: Capability[] = ["read", "write", "list", "lease", "call", "proxy"];

// 40% of checks exercise one of the actor's own rules (with one of its capabilities), the rest
// are random paths across all teams, so allows, denies and approvals all occur.
function randomCheck(): { path: string; cap: Capability } {
  if (rand() < 0.4) {
    const rules = policies[pick(actorIds)]?.rules ?? [];
    const r = pick(rules);
    const caps = r.capabilities.filter((c) => c !== "deny");
    return { path: instantiate(pick(r.paths)), cap: caps.length ? pick(caps) : pick(CAPS) };
  }
  const team = rand() < 0.5 ? pick(actorTeams) : pick(TEAMS);
  const paths = [
    `secrets/${team}/${pick(APPS)}/${pick(KEYS)}`,
    `secrets/${team}/${pick(APPS)}/${pick(ENVS)}/${pick(KEYS)}`,
    `db/${team}-${pick(ENVS)}/creds`,
    `mcp/${pick(SERVERS)}/${pick(TOOLS)}`,
    `kv/${team}/${pick(APPS)}/${pick(ENVS)}/${pick(KEYS)}`,
    `ci/${team}/${pick(APPS)}/deploy-${pick(ENVS)}`,
  ];
  return { path: pick(paths), cap: pick(CAPS) };
}
const work = Array.from({ length: 4096 }, randomCheck);

let allowed = 0;
for (let i = 0; i < WARMUP; i++) {
  const w = work[i % work.length];
  if (w && authorize(actor, w.cap, w.path, index).allowed) allowed++;
}

const samples = new Float64Array(CHECKS);
for (let i = 0; i < CHECKS; i++) {
  const w = work[i % work.length];
  if (!w) continue;
  const t0 = Bun.nanoseconds();
  const d = authorize(actor, w.cap, w.path, index);
  samples[i] = (Bun.nanoseconds() - t0) / 1000;
  if (d.allowed) allowed++;
}
samples.sort();
const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
const round = (x: number) => Math.round(x * 1000) / 1000;

if (allowed === 0) throw new Error("bench workload never allowed anything; check the generator");
console.log(
  JSON.stringify({
    name: "policy_check_10k_rules",
    p50_us: round(at(0.5)),
    p99_us: round(at(0.99)),
    mean_us: round(mean),
    checks: CHECKS,
  }),
);
