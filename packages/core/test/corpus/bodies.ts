// Large benign and mixed bodies shared by the acceptance tests and bench/scrubber.ts.

import { Rng } from "./rng";

const NAMES = ["Ada Lovelace", "Grace Hopper", "Linus Torvalds", "Margaret Hamilton", "Ken Thompson"];
const MESSAGES = [
  "Fix race in lease renewal",
  "Bump yaml from 2.9.0 to 2.9.1",
  "Add pagination to /v1/secrets",
  "Refactor token cache; no behaviour change",
  "docs: explain password rotation",
];

/** A PNG-looking thumbnail: the real signature and IHDR chunk, then random bytes. */
function thumbnail(rng: Rng, bytes: number): string {
  const header = "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAYAAACqaXHeAAAA";
  return `data:image/png;base64,${header}${rng.base64(bytes)}`;
}

function commit(rng: Rng, i: number): Record<string, unknown> {
  const sha = rng.hex(40);
  const author = rng.pick(NAMES);
  return {
    sha,
    node_id: `C_kwDOA${rng.alnum(20)}`,
    id: rng.uuid(),
    commit: {
      author: { name: author, email: `${author.split(" ")[0]?.toLowerCase()}@example.com`, date: "2025-06-01T12:00:00Z" },
      message: rng.pick(MESSAGES),
      tree: { sha: rng.hex(40), url: `https://api.github.com/repos/acme/app/git/trees/${rng.hex(40)}` },
      comment_count: rng.int(5),
      verification: { verified: true, reason: "valid", signature: null },
    },
    url: `https://api.github.com/repos/acme/app/commits/${sha}`,
    html_url: `https://github.com/acme/app/commit/${sha}`,
    parents: [{ sha: rng.hex(40), url: `https://api.github.com/repos/acme/app/commits/${rng.hex(40)}` }],
    etag: `W/"${rng.hex(32)}"`,
    integrity: `sha512-${rng.base64(64)}`,
    request_id: rng.uuid(),
    position: i,
    thumbnail: thumbnail(rng, 900 + rng.int(600)),
  };
}

/** ~`targetBytes` of JSON: a list of commit-like objects with SHAs, UUIDs and base64 thumbnails. */
export function benignJsonBody(targetBytes = 1024 * 1024, seed = 42): string {
  const rng = new Rng(seed);
  const items: string[] = [];
  let size = 2;
  for (let i = 0; size < targetBytes; i++) {
    const s = JSON.stringify(commit(rng, i));
    items.push(s);
    size += s.length + 1;
  }
  return `[${items.join(",")}]`;
}

/** Logs, env files and JSON with a credential every few hundred bytes; ~`targetBytes` long. */
export function mixedBody(targetBytes = 1024 * 1024, seed = 7): { text: string; secrets: number } {
  const rng = new Rng(seed);
  const parts: string[] = [];
  let size = 0;
  let secrets = 0;
  for (let i = 0; size < targetBytes; i++) {
    let p: string;
    switch (i % 6) {
      case 0:
        p = `2025-06-01T12:00:${String(i % 60).padStart(2, "0")}Z INFO request_id=${rng.uuid()} GET /v1/items?page=${i} 200 ${rng.int(900)}ms`;
        break;
      case 1:
        p = `2025-06-01T12:00:01Z DEBUG calling api with Authorization: token ghp_${rng.alnum(36)}`;
        secrets++;
        break;
      case 2:
        p = JSON.stringify(commit(rng, i)).slice(0, 600);
        break;
      case 3:
        p = `DATABASE_URL=postgres://app:${rng.alnum(20)}@db.internal:5432/app\nAWS_ACCESS_KEY_ID=AKIA${rng.str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`;
        secrets += 2;
        break;
      case 4:
        p = `{"level":"warn","msg":"retrying upstream","attempt":${i},"trace":"${rng.hex(32)}","sk":"sk_live_${rng.alnum(24)}"}`;
        secrets++;
        break;
      default:
        p = `The quick brown fox jumps over the lazy dog. Commit ${rng.hex(40)} by ${rng.pick(NAMES)}; password reset link sent.`;
    }
    parts.push(p);
    size += p.length + 1;
  }
  return { text: parts.join("\n"), secrets };
}
