// Benign samples: the hand-written documents in benign/ (split at blank lines, JSON whole) and
// generated API-response objects with git SHAs, UUIDs, integrity strings and base64 images.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { benignJsonBody } from "./bodies";

export interface BenignSample {
  label: string;
  text: string;
}

const DIR = join(import.meta.dir, "benign");

export function benignSamples(): BenignSample[] {
  const out: BenignSample[] = [];
  for (const file of readdirSync(DIR).sort()) {
    const text = readFileSync(join(DIR, file), "utf8");
    if (file.endsWith(".json") || file.endsWith(".map") || file.endsWith(".html")) {
      out.push({ label: file, text });
      continue;
    }
    text
      .split(/\n\s*\n/)
      .filter((chunk) => chunk.trim().length > 0)
      .forEach((chunk, i) => {
        out.push({ label: `${file}#${i}`, text: chunk });
      });
  }
  const list = JSON.parse(benignJsonBody(96 * 1024, 3)) as unknown[];
  list.forEach((item, i) => {
    out.push({ label: `generated-commit#${i}`, text: JSON.stringify(item) });
  });
  return out;
}
