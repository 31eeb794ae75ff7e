import { promises as dns } from "node:dns";
import { GatehouseError } from "@gatehouse/core";
import {
  classifyIp,
  formatIp,
  type IpClass,
  type ParsedIp,
  parseHostIp,
  parseIp,
  unmapIp,
} from "@gatehouse/core/net";

/**
 * What the proxy needs from the network, passed in at boot so tests can bring their own DNS server
 * and certificate authority (a dependency, never a test branch).
 */
export interface ProxyNet {
  /** Every address `host` resolves to (A and AAAA). Called once per proxied call. */
  resolve(host: string): Promise<string[]>;
  /** Extra trust anchors (PEM) for upstream TLS; undefined keeps the system roots only. */
  ca?: string | string[];
  /** Bytes the upstream request body may have after injection. */
  maxRequestBytes: number;
  /** Bytes of upstream response body read before the call fails (enforced while streaming). */
  maxResponseBytes: number;
}

export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** getaddrinfo through node:dns (honours /etc/hosts), all families, in the resolver's order. */
export async function systemResolve(host: string): Promise<string[]> {
  const rows = await dns.lookup(host, { all: true, verbatim: true });
  return rows.map((r) => r.address);
}

export function defaultProxyNet(overrides: Partial<ProxyNet> = {}): ProxyNet {
  return {
    resolve: systemResolve,
    maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
    maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
    ...overrides,
  };
}

/**
 * The private-network rule for one call, combined over every referenced secret (the strictest wins):
 * `allowPrivate` is GATEHOUSE_PROXY_ALLOW_PRIVATE unless a secret's `allow_private` says otherwise;
 * `explicit` is true only when every secret sets `allow_private=true` itself.
 */
export interface PrivatePolicy {
  allowPrivate: boolean;
  explicit: boolean;
}

export function privatePolicy(defaultAllow: boolean, metadata: Record<string, string>[]): PrivatePolicy {
  let allowPrivate = true;
  let explicit = true;
  for (const m of metadata) {
    const v = m.allow_private?.trim().toLowerCase();
    const own = v === "true" ? true : v === "false" ? false : defaultAllow;
    allowPrivate &&= own;
    explicit &&= v === "true";
  }
  return { allowPrivate, explicit };
}

// Never a destination, whatever the settings: 0.0.0.0 reaches the local host, multicast is not a server.
const NEVER: ReadonlySet<IpClass> = new Set(["unspecified", "multicast"]);

/**
 * Null when the proxy may connect to `ip`, else the class that blocks it. Public addresses always pass;
 * loopback, RFC 1918, link-local, CGNAT, ULA and reserved ranges pass when private networks are allowed;
 * cloud metadata endpoints only when every secret opts in with `allow_private=true`.
 */
export function blockedClass(ip: ParsedIp, policy: PrivatePolicy): IpClass | null {
  const cls = classifyIp(ip);
  if (cls === "public") return null;
  if (NEVER.has(cls)) return cls;
  if (cls === "metadata") return policy.explicit ? null : cls;
  return policy.allowPrivate ? null : cls;
}

const ssrf = (cls: IpClass, stage: "literal" | "resolved") =>
  new GatehouseError(
    "ssrf_blocked",
    stage === "literal"
      ? `The target address is ${cls.replace("_", "-")}, which this secret may not reach (set allow_private on the secret or GATEHOUSE_PROXY_ALLOW_PRIVATE)`
      : `The target name resolves to a ${cls.replace("_", "-")} address, which this secret may not reach`,
    { address_class: cls, stage },
  );

/** Host names that mean this machine without asking DNS. */
const LOCAL_NAMES = /(^|\.)localhost$/;

/**
 * The literal-address check (before approval): an IP literal in any encoding, or a localhost name.
 * Returns the parsed literal (the address to connect to) or null for a name that must be resolved.
 */
export function checkLiteral(hostname: string, policy: PrivatePolicy): ParsedIp | null {
  const literal = parseHostIp(hostname);
  if (literal) {
    const cls = blockedClass(literal, policy);
    if (cls) throw ssrf(cls, "literal");
    return unmapIp(literal);
  }
  if (LOCAL_NAMES.test(hostname.replace(/\.$/, ""))) {
    if (!policy.allowPrivate) throw ssrf("loopback", "literal");
  }
  return null;
}

/**
 * Resolves once and checks every address (one blocked address blocks the call: fail closed). Returns the
 * address to connect to, so the connection goes to exactly what was checked (no DNS rebinding).
 */
export async function resolveChecked(
  net: ProxyNet,
  hostname: string,
  policy: PrivatePolicy,
  timeoutMs: number,
): Promise<ParsedIp> {
  let addresses: string[];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GatehouseError("upstream_timeout", `The target name did not resolve within ${timeoutMs} ms`, {
              timeout: timeoutMs,
            }),
          ),
        timeoutMs,
      );
    });
    addresses = await Promise.race([net.resolve(hostname.replace(/\.$/, "")), expired]);
  } catch (e) {
    if (e instanceof GatehouseError) throw e;
    const code = (e as { code?: unknown }).code;
    throw new GatehouseError("upstream_failed", "The target host name could not be resolved", {
      reason: typeof code === "string" && /^[A-Z_]{1,32}$/.test(code) ? code : "resolve_failed",
    });
  } finally {
    clearTimeout(timer);
  }
  const parsed = addresses.map((a) => parseIp(a));
  if (parsed.length === 0)
    throw new GatehouseError("upstream_failed", "The target host name has no addresses", {
      reason: "ENOTFOUND",
    });
  for (const ip of parsed) {
    if (!ip) throw ssrf("reserved", "resolved");
    const cls = blockedClass(ip, policy);
    if (cls) throw ssrf(cls, "resolved");
  }
  return unmapIp(parsed[0] as ParsedIp);
}

/** The host part of a URL that connects to `ip`. */
export const ipHost = (ip: ParsedIp) => (ip.version === 6 ? `[${formatIp(ip)}]` : formatIp(ip));
