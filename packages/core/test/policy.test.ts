// Table test in the style of Vault's acl_test.go: (policies, ip, capability, path) -> decision.

import { describe, expect, test } from "bun:test";
import {
  type ApprovalMode,
  authorize,
  buildIndex,
  type Capability,
  capabilitiesOn,
  changedFromGatehouseGlob,
  flagChangedRules,
  parsePolicy,
} from "../src/policy";

const POLICIES = [
  `name: app-reader
rules:
  - path: secrets/app/*
    capabilities: [read, list]
  - path: secrets/shared/**
    capabilities: [read]
  - paths: [db/prod-*/creds, db/staging-*/creds]
    capabilities: [lease]
    approval: {required: true, auto_approve_from: [10.0.0.0/8, "fd00::/8"], max_ttl: 900}`,
  `name: app-writer
rules:
  - path: secrets/app/**
    capabilities: [write, read]
    approval: {required: false, max_ttl: 3600}
  - path: secrets/app/prod/**
    capabilities: [deny]
  - path: a/**/c
    capabilities: [list]`,
  `name: mcp-github
rules:
  - path: mcp/github/*
    capabilities: [call]
  - path: mcp/github/delete_repo
    capabilities: [deny]
  - path: mcp/*/read_*
    capabilities: [call]
    approval: {required: true, max_ttl: 120}`,
  `name: ops-admin
rules:
  - path: ops/**
    capabilities: [admin]
  - path: ops/vault/seal
    capabilities: [deny]`,
  `name: strict
rules:
  - path: secrets/app/*
    capabilities: [read]
    approval: {required: true, auto_approve_from_ip: [192.168.1.0/24], max_ttl: 300}
  - path: "**/config"
    capabilities: [read]
  - path: "*"
    capabilities: [list]`,
  `name: global-deny
rules:
  - path: secrets/app/token
    capabilities: [deny]`,
  `name: everything
rules:
  - path: "**"
    capabilities: [read]`,
  `name: gated-reports
rules:
  - path: reports/**
    capabilities: [list, read]
    approval: {required: true}`,
].map((y) => parsePolicy(y));

const index = buildIndex(POLICIES);

type Row = [
  policies: string[],
  ip: string | undefined,
  capability: Capability,
  path: string,
  allowed: boolean,
  expect?: {
    approval?: ApprovalMode;
    maxTtl?: number;
    policy?: string;
    rule?: number;
    glob?: string;
    message?: string;
  },
];

const R = ["app-reader"];
const W = ["app-writer"];
const ROWS: Row[] = [
  // `*` stays in one segment
  [R, undefined, "read", "secrets/app/key", true, { approval: "none", policy: "app-reader", rule: 0 }],
  [R, undefined, "read", "secrets/app/sub/key", false, { message: "no rule" }],
  [R, undefined, "list", "secrets/app/key", true, { policy: "app-reader", rule: 0 }],
  [R, undefined, "write", "secrets/app/key", false, { message: "does not grant write" }],
  // `**` needs at least one segment after a prefix
  [R, undefined, "read", "secrets/shared/a", true, { policy: "app-reader", rule: 1 }],
  [R, undefined, "read", "secrets/shared/a/b/c", true, { rule: 1, glob: "secrets/shared/**" }],
  [R, undefined, "read", "secrets/shared", false],
  // approval blocks and auto_approve_from
  [R, undefined, "lease", "db/prod-main/creds", true, { approval: "required", maxTtl: 900, rule: 2 }],
  [R, "10.2.3.4", "lease", "db/prod-main/creds", true, { approval: "auto", maxTtl: 900 }],
  [R, "11.0.0.1", "lease", "db/prod-main/creds", true, { approval: "required" }],
  [R, "not-an-ip", "lease", "db/prod-main/creds", true, { approval: "required" }],
  [R, "fd00::5", "lease", "db/prod-main/creds", true, { approval: "auto" }],
  [R, "::ffff:10.0.0.1", "lease", "db/prod-main/creds", true, { approval: "auto" }],
  [R, undefined, "lease", "db/prod-main/other", false],
  [R, undefined, "lease", "db/staging-x/creds", true, { rule: 2, glob: "db/staging-*/creds" }],
  [R, undefined, "read", "db/prod-main/creds", false],
  // deny precedence
  [
    W,
    undefined,
    "write",
    "secrets/app/x/y",
    true,
    { approval: "none", maxTtl: 3600, policy: "app-writer", rule: 0 },
  ],
  [
    W,
    undefined,
    "write",
    "secrets/app/prod/key",
    false,
    { policy: "app-writer", rule: 1, message: "denied by" },
  ],
  [W, undefined, "read", "secrets/app/prod", true, { rule: 0 }],
  [[...R, ...W], undefined, "read", "secrets/app/prod/key", false, { policy: "app-writer", rule: 1 }],
  [
    ["admin", "global-deny"],
    undefined,
    "read",
    "secrets/app/token",
    false,
    { policy: "global-deny", rule: 0 },
  ],
  [["global-deny", "admin"], undefined, "read", "secrets/app/other", true, { policy: "admin" }],
  // unions across policies: strictest approval, smallest max_ttl
  [
    [...R, ...W],
    undefined,
    "read",
    "secrets/app/key",
    true,
    { approval: "none", maxTtl: 3600, policy: "app-reader" },
  ],
  [
    ["strict", ...R],
    undefined,
    "read",
    "secrets/app/key",
    true,
    { approval: "required", maxTtl: 300, policy: "strict" },
  ],
  [
    [...R, "strict"],
    "192.168.1.7",
    "read",
    "secrets/app/key",
    true,
    { approval: "auto", policy: "strict", rule: 0 },
  ],
  [[...R, "strict", ...W], "192.168.1.7", "read", "secrets/app/key", true, { approval: "auto", maxTtl: 300 }],
  [
    [...R, "strict", ...W],
    "192.168.2.7",
    "read",
    "secrets/app/key",
    true,
    { approval: "required", maxTtl: 300 },
  ],
  [["strict"], undefined, "list", "secrets", true, { policy: "strict", rule: 2 }],
  [["strict"], undefined, "list", "secrets/app/key", false],
  [["strict"], undefined, "write", "secrets/app/key", false],
  // `**` at the front and in the middle matches zero segments
  [["strict"], undefined, "read", "x/y/config", true, { rule: 1 }],
  [["strict"], undefined, "read", "config", true, { rule: 1 }],
  [["strict"], undefined, "read", "x/config/y", false],
  [W, undefined, "list", "a/c", true, { rule: 2 }],
  [W, undefined, "list", "a/x/y/c", true, { rule: 2 }],
  [W, undefined, "list", "a/x/y", false],
  // `call` on mcp/<server>/<tool>
  [["mcp-github"], undefined, "call", "mcp/github/create_issue", true, { approval: "none", rule: 0 }],
  [["mcp-github"], undefined, "call", "mcp/github/delete_repo", false, { policy: "mcp-github", rule: 1 }],
  [
    ["mcp-github"],
    undefined,
    "call",
    "mcp/slack/read_channel",
    true,
    { approval: "required", maxTtl: 120, rule: 2 },
  ],
  [
    ["mcp-github"],
    undefined,
    "call",
    "mcp/github/read_file",
    true,
    { approval: "required", maxTtl: 120, rule: 2 },
  ],
  [["mcp-github"], undefined, "read", "mcp/github/create_issue", false],
  [["mcp-github"], undefined, "call", "mcp/github/x/y", false],
  // admin implies every other capability on its paths, but not over a deny
  [
    ["ops-admin"],
    undefined,
    "read",
    "ops/db/password",
    true,
    { policy: "ops-admin", rule: 0, message: "admin implies" },
  ],
  [["ops-admin"], undefined, "delete", "ops/a", true, { rule: 0 }],
  [["ops-admin"], undefined, "admin", "ops/a/b", true, { rule: 0 }],
  [["ops-admin"], undefined, "write", "ops/vault/seal", false, { rule: 1 }],
  [["ops-admin"], undefined, "read", "ops", false],
  [["app-reader"], undefined, "admin", "secrets/app/key", false],
  [["admin"], undefined, "read", "anything/at/all", true, { policy: "admin", rule: 0, glob: "**" }],
  [["admin"], undefined, "admin", "", true, { policy: "admin" }],
  // approval only gates capabilities that hand over or use a value
  [["gated-reports"], undefined, "list", "reports/q1", true, { approval: "none" }],
  [["gated-reports"], undefined, "read", "reports/q1", true, { approval: "required" }],
  // unknown policies, odd paths, odd capabilities
  [["nope"], undefined, "read", "x", false, { message: "unknown" }],
  [["nope", ...R], undefined, "read", "secrets/app/key", true, { policy: "app-reader" }],
  [["nope", ...R], undefined, "read", "secrets/other", false, { message: "unknown policies ignored: nope" }],
  [[], undefined, "read", "x", false],
  [["everything"], undefined, "read", "secrets//x", false, { message: "invalid path" }],
  [["everything"], undefined, "read", "secrets/../x", false, { message: "invalid path" }],
  [["everything"], undefined, "read", "/secrets/x/", true, { policy: "everything" }],
  [["everything"], undefined, "deny", "secrets/x", false],
  [["admin"], undefined, "sudo" as Capability, "secrets/x", false, { message: "not a capability" }],
];

describe("authorize table", () => {
  test("has at least 40 rows", () => expect(ROWS.length).toBeGreaterThanOrEqual(40));
  for (const [policies, ip, cap, path, allowed, want] of ROWS) {
    test(`${policies.join("+") || "(none)"} ${ip ?? "-"} ${cap} ${path || "(root)"} -> ${allowed}`, () => {
      const d = authorize({ policies, ip }, cap, path, index);
      expect(d.allowed).toBe(allowed);
      expect(d.reason.message.length).toBeGreaterThan(0);
      if (!allowed) expect(d.approval).toBe("none");
      if (want?.approval) expect(d.approval).toBe(want.approval);
      if (want && "maxTtl" in want) expect(d.maxTtl).toBe(want.maxTtl);
      if (want?.policy) expect(d.reason.policy).toBe(want.policy);
      if (want?.rule !== undefined) expect(d.reason.rule).toBe(want.rule);
      if (want?.glob) expect(d.reason.glob).toBe(want.glob);
      if (want?.message) expect(d.reason.message).toContain(want.message);
      if (allowed) expect(d.reason.policy).toBeDefined();
    });
  }
});

describe("capabilitiesOn", () => {
  test("unions policies and expands admin", () => {
    expect([...capabilitiesOn({ policies: [...R, ...W] }, "secrets/app/key", index)].sort()).toEqual([
      "list",
      "read",
      "write",
    ]);
    expect(capabilitiesOn({ policies: ["ops-admin"] }, "ops/x", index).size).toBe(8);
  });
  test("a matching deny empties the set", () => {
    expect(capabilitiesOn({ policies: ["admin", "global-deny"] }, "secrets/app/token", index).size).toBe(0);
    expect(capabilitiesOn({ policies: ["everything"] }, "a//b", index).size).toBe(0);
  });
});

describe("buildIndex", () => {
  test("rejects duplicate names and a second admin", () => {
    const p = parsePolicy("name: dup\nrules: []");
    expect(() => buildIndex([p, p])).toThrow(/defined twice/);
    expect(() => buildIndex([parsePolicy("name: admin\nrules: []")])).toThrow(/reserved/);
  });
  test("re-checks policies built in code", () => {
    expect(() => buildIndex([{ name: "x", rules: [{ paths: ["a?"], capabilities: ["read"] }] }])).toThrow(
      /rules\[0\]\.paths\[0\]/,
    );
    const bad = {
      name: "y",
      rules: [
        { paths: ["a"], capabilities: ["read" as const] },
        { paths: ["b"], capabilities: ["nope" as Capability] },
      ],
    };
    expect(() => buildIndex([bad])).toThrow(/rules\[1\]\.capabilities\[0\]/);
  });
  test("per-actor views are cached by the ordered policy list", () => {
    const idx = buildIndex(POLICIES);
    for (let i = 0; i < 3; i++) {
      expect(
        authorize({ policies: ["app-reader", "strict"] }, "read", "secrets/app/k", idx).reason.policy,
      ).toBe("strict");
      expect(authorize({ policies: ["app-reader"] }, "read", "secrets/app/k", idx).reason.policy).toBe(
        "app-reader",
      );
      expect(authorize({ policies: ["app-reader\nstrict"] }, "read", "secrets/app/k", idx).allowed).toBe(
        false,
      );
      expect(authorize({ policies: ["strict", "app-reader"] }, "read", "secrets/app/k", idx).approval).toBe(
        "required",
      );
    }
    expect(idx.cache.views.size).toBe(3);
  });
  test("adversarial globs stay fast (no backtracking blowup)", () => {
    const evil = parsePolicy(
      "name: evil\nrules:\n  - paths: ['**/a/**/a/**/a/**/a/**/b', '*a*a*a*a*a*a*b']\n    capabilities: [read]",
    );
    const idx = buildIndex([evil]);
    const long = Array.from({ length: 200 }, () => "a").join("/");
    const t0 = performance.now();
    expect(authorize({ policies: ["evil"] }, "read", long, idx).allowed).toBe(false);
    expect(authorize({ policies: ["evil"] }, "read", "a".repeat(5000), idx).allowed).toBe(false);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

// Gatehouse-era globs: `*` crossed "/", `?` matched one character.
const LEGACY: [glob: string, changed: boolean, suggestion?: string[]][] = [
  ["secrets/*", true, ["secrets/**"]],
  ["*", true, ["**"]],
  ["**", false],
  ["a/**", false],
  ["secrets/db", false],
  ["a/**/c", true, ["a/*/**/c"]],
  ["**/config", true, ["*/**/config"]],
  ["db-*", true, ["db-*", "db-*/**"]],
  ["db-*/creds", true, ["db-*/**/creds"]],
  ["*-prod", true, ["**/*-prod"]],
  ["a?c", true],
  ["a**", true, ["a*", "a*/**"]],
];

describe("changed meaning from Gatehouse globs", () => {
  for (const [glob, changed, suggestion] of LEGACY) {
    test(`${glob} -> ${changed ? "changed" : "same"}`, () => {
      const c = changedFromGatehouseGlob(glob);
      expect(c !== undefined).toBe(changed);
      if (suggestion) expect(c?.suggestion).toEqual(suggestion);
    });
  }
  test("message explains with an example and flags per rule", () => {
    expect(changedFromGatehouseGlob("secrets/*")?.message).toContain(`matched "secrets/a/b" before`);
    const flags = flagChangedRules(
      parsePolicy(
        "name: old\nrules:\n  - path: a/b\n    capabilities: [read]\n  - paths: [c, 'd/*']\n    capabilities: [read]",
      ),
    );
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ rule: 1, glob: "d/*", suggestion: ["d/**"], exact: true });
  });
});
