import { describe, expect, test } from "bun:test";
import { isGatehouseError } from "../src/errors";
import { cidrContains, parseCidr, parseIp, parsePolicy, toDocument, validatePolicy } from "../src/policy";

const rule = (body: string) => `name: p\nrules:\n  - ${body.split("\n").join("\n    ")}`;
const errorsOf = (input: string | object) => validatePolicy(input).errors;
const firstPath = (input: string | object) => errorsOf(input)[0]?.path;

describe("parsePolicy", () => {
  test("accepts path or paths and normalizes to paths", () => {
    expect(parsePolicy(rule("path: a/*\ncapabilities: [read]")).rules[0]?.paths).toEqual(["a/*"]);
    expect(parsePolicy(rule("paths: [a/**, b]\ncapabilities: [read, read, list]")).rules[0]).toEqual({
      paths: ["a/**", "b"],
      capabilities: ["read", "list"],
    });
  });

  test("path and paths together, or neither, are errors", () => {
    expect(firstPath(rule("path: a\npaths: [b]\ncapabilities: [read]"))).toBe("rules[0].paths");
    expect(firstPath(rule("capabilities: [read]"))).toBe("rules[0].paths");
    expect(firstPath(rule("paths: []\ncapabilities: [read]"))).toBe("rules[0].paths");
  });

  test("unknown capability names the rule and index", () => {
    const errs = errorsOf(
      `name: p\nrules:\n  - path: a\n    capabilities: [read]\n  - path: b\n    capabilities: [read, sudo]`,
    );
    expect(errs).toEqual([{ path: "rules[1].capabilities[1]", message: 'unknown capability "sudo"' }]);
    expect(firstPath(rule("path: a\ncapabilities: []"))).toBe("rules[0].capabilities");
  });

  test("glob syntax: ?, partial **, bad characters, empty segments", () => {
    for (const g of ["a?", "a**", "**b", "a/***", "a/b.c", "/a", "a/", "a//b", "a b"]) {
      const errs = errorsOf(rule(`path: "${g}"\ncapabilities: [read]`));
      expect(errs.map((e) => e.path)).toEqual(["rules[0].path"]);
    }
    expect(errorsOf(rule(`path: "a?"\ncapabilities: [read]`))[0]?.message).toContain('"?" is not supported');
    expect(errorsOf(rule(`path: "a**"\ncapabilities: [read]`))[0]?.message).toContain("whole segment");
    expect(firstPath(rule(`paths: [ok, "x/y?"]\ncapabilities: [read]`))).toBe("rules[0].paths[1]");
    for (const g of ["**", "a/**", "**/b", "a/*/c", "a*b*c", "mcp/github/*", "x_-9/A*"]) {
      expect(errorsOf(rule(`path: "${g}"\ncapabilities: [read]`))).toEqual([]);
    }
  });

  test("approval block, synonyms and CIDRs", () => {
    const p = parsePolicy(
      rule(
        "path: a\ncapabilities: [lease]\napproval: {required: true, auto_approve_from_ip: [10.0.0.0/8, 'fd00::/8', 192.168.1.4], max_ttl: 600}",
      ),
    );
    expect(p.rules[0]?.approval).toEqual({
      required: true,
      autoApproveFrom: ["10.0.0.0/8", "fd00::/8", "192.168.1.4"],
      maxTtl: 600,
    });
    // An approval block without `required` fails closed.
    expect(
      parsePolicy(rule("path: a\ncapabilities: [read]\napproval: {max_ttl: 60}")).rules[0]?.approval
        ?.required,
    ).toBe(true);
    expect(
      firstPath(
        rule("path: a\ncapabilities: [read]\napproval: {auto_approve_from: [], auto_approve_from_ip: []}"),
      ),
    ).toBe("rules[0].approval.auto_approve_from_ip");
    for (const bad of [
      "10.0.0.1/8",
      "300.0.0.0/8",
      "10.0.0.0/33",
      "010.0.0.0/8",
      "::1/129",
      "fe80::1%eth0",
      "1:2:3",
      "abc",
      "10.0.0.0/",
    ]) {
      const errs = errorsOf(
        rule(`path: a\ncapabilities: [read]\napproval: {auto_approve_from: ["10.0.0.0/8", "${bad}"]}`),
      );
      expect(errs.map((e) => e.path)).toEqual(["rules[0].approval.auto_approve_from[1]"]);
    }
    for (const bad of ["0", "-5", "1.5", '"60"']) {
      expect(firstPath(rule(`path: a\ncapabilities: [read]\napproval: {max_ttl: ${bad}}`))).toBe(
        "rules[0].approval.max_ttl",
      );
    }
    expect(firstPath(rule("path: a\ncapabilities: [read]\napproval: {required: yes-please}"))).toBe(
      "rules[0].approval.required",
    );
  });

  test("names, unknown fields, bad documents", () => {
    expect(firstPath("name: 'has space'\nrules: []")).toBe("name");
    expect(firstPath(`name: ${"x".repeat(65)}\nrules: []`)).toBe("name");
    expect(errorsOf(`name: ${"x".repeat(64)}\nrules: []`)).toEqual([]);
    expect(firstPath("name: p\nrules: []\nrulez: []")).toBe("rulez");
    expect(firstPath(rule("path: a\ncapabilities: [read]\naproval: {required: true}"))).toBe(
      "rules[0].aproval",
    );
    expect(firstPath("name: p")).toBe("rules");
    expect(firstPath("name: [unclosed")).toBe("");
    expect(firstPath("- just\n- a list")).toBe("");
    expect(validatePolicy("{", "json").errors[0]?.message).toContain("invalid JSON");
  });

  test("collects every error for the editor", () => {
    const errs = errorsOf(
      `name: "bad name"\nrules:\n  - path: a?\n    capabilities: [fly]\n  - paths: [ok]\n    capabilities: [read]\n    approval: {max_ttl: 0}`,
    );
    expect(errs.map((e) => e.path)).toEqual([
      "name",
      "rules[0].path",
      "rules[0].capabilities[0]",
      "rules[1].approval.max_ttl",
    ]);
  });

  test("parsePolicy throws policy_invalid naming the field", () => {
    try {
      parsePolicy(rule("path: a\ncapabilities: [read, fly]"));
      throw new Error("expected a throw");
    } catch (e) {
      expect(isGatehouseError(e)).toBe(true);
      if (!isGatehouseError(e)) return;
      expect(e.code).toBe("policy_invalid");
      expect(e.status).toBe(400);
      expect(e.message).toContain("rules[0].capabilities[1]");
      expect(e.details?.field).toBe("rules[0].capabilities[1]");
    }
  });

  test("JSON strings, objects, and round-trips of a parsed Policy", () => {
    const json =
      '{"name":"j","rules":[{"path":"a/*","capabilities":["read"],"approval":{"required":true,"auto_approve_from":["10.0.0.0/8"],"max_ttl":30}}]}';
    const p = parsePolicy(json, "json");
    expect(parsePolicy(JSON.parse(json))).toEqual(p);
    expect(parsePolicy(json)).toEqual(p); // YAML reads JSON too
    expect(parsePolicy(JSON.stringify(p), "json")).toEqual(p);
    expect(parsePolicy({ ...p, description: "d" }).description).toBe("d");
  });
});

describe("cidr", () => {
  const ip = (s: string) => parseIp(s) ?? new Uint8Array();
  const cidr = (s: string) => {
    const c = parseCidr(s);
    if (typeof c === "string") throw new Error(c);
    return c;
  };
  test("contains", () => {
    expect(cidrContains(cidr("10.0.0.0/8"), ip("10.255.1.2"))).toBe(true);
    expect(cidrContains(cidr("10.0.0.0/8"), ip("11.0.0.0"))).toBe(false);
    expect(cidrContains(cidr("192.168.1.128/25"), ip("192.168.1.200"))).toBe(true);
    expect(cidrContains(cidr("192.168.1.128/25"), ip("192.168.1.127"))).toBe(false);
    expect(cidrContains(cidr("0.0.0.0/0"), ip("8.8.8.8"))).toBe(true);
    expect(cidrContains(cidr("2001:db8::/32"), ip("2001:db8:0:0:1::1"))).toBe(true);
    expect(cidrContains(cidr("2001:db8::/32"), ip("2001:db9::1"))).toBe(false);
    expect(cidrContains(cidr("10.0.0.0/8"), ip("::ffff:10.1.1.1"))).toBe(true);
    expect(cidrContains(cidr("::1"), ip("::1"))).toBe(true);
    expect(cidrContains(cidr("10.0.0.0/8"), ip("::1"))).toBe(false);
  });
  test("rejects malformed addresses", () => {
    for (const s of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "1.2.3.256",
      "01.2.3.4",
      ":::1",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
      "::1%lo",
    ]) {
      expect(parseIp(s)).toBeUndefined();
    }
    expect(parseIp("1:2:3:4:5:6:1.2.3.4")?.length).toBe(16);
    expect(parseIp("::")?.length).toBe(16);
  });
});

describe("toDocument", () => {
  test("round-trips through parsePolicy, approval blocks included", () => {
    const p = parsePolicy({
      name: "rt",
      description: "round trip",
      rules: [
        {
          paths: ["a/**"],
          capabilities: ["read"],
          approval: { required: true, auto_approve_from: ["10.0.0.0/8"], max_ttl: 60 },
        },
        { path: "b/*", capabilities: ["deny"] },
      ],
    });
    const doc = toDocument(p);
    expect(doc.rules[1]?.paths).toEqual(["b/*"]);
    expect(parsePolicy(doc)).toEqual(p);
  });
});
