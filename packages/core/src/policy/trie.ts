// A trie keyed by each glob's leading literal segments; the wildcard remainder is matched once per
// distinct glob at a node. A lookup only visits nodes on the request path, so unrelated rules are
// never looked at.

import type { Cidr } from "./cidr";
import { matchTokens, type Token } from "./glob";

export interface IndexedRule {
  policy: string;
  rule: number;
  pathIndex: number;
  glob: string;
  prefix: string[];
  rest: Token[];
  mask: number; // capability bits
  approvalRequired: boolean;
  autoFrom: Cidr[];
  maxTtl?: number;
}

/** A rule as seen by one actor: `pos` is its policy's place in the actor's list (for stable reasons). */
export interface Match {
  entry: IndexedRule;
  pos: number;
}

/** Rules sharing one glob remainder at a node: matched once, with cheap rejects first. */
interface Group {
  rest: Token[];
  min: number; // fewest segments the remainder can match
  max: number;
  last?: string; // the final segment, when it is literal
  members: Match[];
}

export interface TrieNode {
  children: Map<string, TrieNode>;
  groups: Group[]; // globs whose literal prefix ends at this node
  byRest: Map<string, Group>;
}

export const newNode = (): TrieNode => ({ children: new Map(), groups: [], byRest: new Map() });

function newGroup(rest: Token[]): Group {
  const fixed = rest.filter((t) => t.kind !== "globstar").length;
  const end = rest[rest.length - 1];
  return {
    rest,
    min: fixed,
    max: fixed === rest.length ? fixed : Number.POSITIVE_INFINITY,
    last: end?.kind === "lit" ? end.value : undefined,
    members: [],
  };
}

export function insert(root: TrieNode, m: Match): void {
  let node = root;
  for (const seg of m.entry.prefix) {
    let next = node.children.get(seg);
    if (!next) {
      next = newNode();
      node.children.set(seg, next);
    }
    node = next;
  }
  // The prefix is the same for everything at this node, so the glob identifies the remainder.
  let group = node.byRest.get(m.entry.glob);
  if (!group) {
    group = newGroup(m.entry.rest);
    node.byRest.set(m.entry.glob, group);
    node.groups.push(group);
  }
  group.members.push(m);
}

/** Every rule whose glob matches the path segments. */
export function collect(root: TrieNode, segs: readonly string[]): Match[] {
  const out: Match[] = [];
  const lastSeg = segs[segs.length - 1];
  let node: TrieNode | undefined = root;
  for (let depth = 0; node; depth++) {
    const left = segs.length - depth;
    for (const g of node.groups) {
      if (left < g.min || left > g.max || (g.last !== undefined && g.last !== lastSeg)) continue;
      if (matchTokens(g.rest, segs, depth)) for (const m of g.members) out.push(m);
    }
    if (depth >= segs.length) break;
    node = node.children.get(segs[depth] ?? "");
  }
  return out;
}
