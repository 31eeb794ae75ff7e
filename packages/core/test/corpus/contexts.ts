// Places a value in the surroundings credentials really appear in, remembering where the
// secret part ends up (JSON escaping moves it).

import type { Rng } from "./rng";

export type Ctx = "json" | "env" | "log" | "url" | "header" | "yaml";
export const ALL_CTX: readonly Ctx[] = ["json", "env", "log", "url", "header"];

export interface Placed {
  ctx: Ctx;
  text: string;
  /** [start, end) of the secret inside `text`. */
  start: number;
  end: number;
}

function headerCase(key: string): string {
  return key
    .split(/[_\-.]/)
    .filter((p) => p.length > 0)
    .map((p) => (p[0] ?? "").toUpperCase() + p.slice(1).toLowerCase())
    .join("-");
}

const jsonEscape = (s: string): string => JSON.stringify(s).slice(1, -1);

export function embed(ctx: Ctx, key: string, value: string, secret: string, rng: Rng): Placed {
  const at = value.indexOf(secret);
  if (at < 0) throw new Error(`secret not inside value for ${key}`);
  let before: string;
  let after: string;
  let enc = (s: string) => s;
  switch (ctx) {
    case "json":
      before = `{"id":"${rng.uuid()}","${key}":"`;
      after = `","enabled":true,"retries":3}`;
      enc = jsonEscape;
      break;
    case "env":
      before = value.includes("\n") ? `${key.toUpperCase()}="` : `${key.toUpperCase()}=`;
      after = value.includes("\n") ? `"\nLOG_LEVEL=info` : "\nLOG_LEVEL=info";
      break;
    case "log":
      before = `2025-06-01T12:00:${String(rng.int(60)).padStart(2, "0")}Z INFO config ${key}=`;
      after = ` loaded from /etc/app/config (attempt 2)`;
      break;
    case "url":
      before = `GET https://api.example.com/v1/items?${key}=`;
      after = "&page=2 HTTP/1.1";
      break;
    case "header":
      before = `X-${headerCase(key)}: `;
      after = "\r\nAccept: application/json";
      break;
    case "yaml":
      before = `service:\n  ${key}: `;
      after = "\n  replicas: 2";
      break;
  }
  const start = before.length + enc(value.slice(0, at)).length;
  const text = before + enc(value) + after;
  return { ctx, text, start, end: start + enc(secret).length };
}
