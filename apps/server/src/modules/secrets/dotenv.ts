import { invalid } from "@gatehouse/core";

export interface EnvEntry {
  key: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

const ASSIGN = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;
const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

// Messages name the line and the key, never the text: a malformed line may hold a value.
const fail = (line: number, message: string) => invalid("env_text", `line ${line}: ${message}`);

/** Reads a quoted value starting at lines[i] (after the opening quote); it may span lines. */
function quoted(lines: string[], i: number, rest: string, quote: string) {
  let text = rest;
  let at = i;
  let out = "";
  for (;;) {
    for (let j = 0; j < text.length; j++) {
      const c = text[j] as string;
      if (quote === '"' && c === "\\" && j + 1 < text.length) {
        const next = text[j + 1] as string;
        out += ESCAPES[next] ?? `\\${next}`;
        j++;
      } else if (c === quote) {
        const tail = text.slice(j + 1).trim();
        if (tail && !tail.startsWith("#")) throw fail(i + 1, "unexpected text after the closing quote");
        return { value: out, end: at };
      } else out += c;
    }
    at++;
    if (at >= lines.length) throw fail(i + 1, "unterminated quoted value");
    out += "\n";
    text = lines[at] as string;
  }
}

/** `.env` text: KEY=VALUE lines, `export ` prefixes, `#` comments, single and double quotes (multi-line). */
export function parseEnv(text: string): EnvEntry[] {
  const lines = text.split(/\r?\n/);
  const out: EnvEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = ASSIGN.exec(line);
    if (!m) throw fail(i + 1, "expected KEY=VALUE");
    const key = m[1] as string;
    const raw = m[2] as string;
    const start = i;
    let value: string;
    const q = raw[0];
    if (q === '"' || q === "'") {
      const r = quoted(lines, i, raw.slice(1), q);
      value = r.value;
      i = r.end;
    } else {
      value = raw.replace(/\s+#.*$/, "").trim();
    }
    if (value === "") throw fail(start + 1, `${key} has an empty value`);
    if (seen.has(key)) throw fail(start + 1, `${key} is set twice`);
    seen.add(key);
    out.push({ key, value, line: start + 1 });
  }
  return out;
}

/** `DATABASE_URL` becomes the path segment `database-url`. */
export const envKeyToSegment = (key: string) => key.toLowerCase().replace(/_/g, "-");
