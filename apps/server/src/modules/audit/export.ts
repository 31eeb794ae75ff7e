import type { Actor } from "../../auth/actor";
import type { AppContext } from "../../context";
import type { Entry, ExportFormat, ExportQuery } from "./model";
import { auditBy, auditPage, scopeFilter, toEntry, whereOf } from "./service";

const BATCH = 1000;
const COLUMNS = [
  "id",
  "timestamp",
  "identity",
  "action",
  "path",
  "lease_id",
  "source_ip",
  "metadata",
  "success",
  "outcome",
  "request_id",
] as const;

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s =
    typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvRow = (e: Entry) => `${COLUMNS.map((c) => csvCell(e[c])).join(",")}\r\n`;

const FORMATS: Record<
  ExportFormat,
  { type: string; ext: string; head: string; row: (e: Entry, first: boolean) => string; tail: string }
> = {
  json: {
    type: "application/json; charset=utf-8",
    ext: "json",
    head: "[",
    row: (e, first) => `${first ? "\n" : ",\n"}${JSON.stringify(e)}`,
    tail: "\n]\n",
  },
  jsonl: {
    type: "application/x-ndjson; charset=utf-8",
    ext: "jsonl",
    head: "",
    row: (e) => `${JSON.stringify(e)}\n`,
    tail: "",
  },
  csv: {
    type: "text/csv; charset=utf-8",
    ext: "csv",
    head: `${COLUMNS.join(",")}\r\n`,
    row: csvRow,
    tail: "",
  },
};

/**
 * Streams every matching entry, oldest first (chain order), in pages so a large log never sits in
 * memory. The export itself is audited before the first byte is sent.
 */
export async function exportAudit(ctx: AppContext, actor: Actor, query: ExportQuery): Promise<Response> {
  const { format, ...rest } = query;
  const filter = scopeFilter(ctx, actor, rest);
  const where = await whereOf(ctx, filter);
  const fmt = FORMATS[format];
  await ctx.audit.append({
    ...auditBy(actor),
    action: "audit.export",
    success: true,
    metadata: { format, filters: filter },
  });
  const encoder = new TextEncoder();
  let after = 0;
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (fmt.head) controller.enqueue(encoder.encode(fmt.head));
    },
    async pull(controller) {
      try {
        const rows = await auditPage(ctx, where, after, BATCH);
        let chunk = "";
        for (const r of rows) {
          chunk += fmt.row(toEntry(r), first);
          first = false;
          after = r.seq;
        }
        if (rows.length < BATCH) chunk += fmt.tail;
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (rows.length < BATCH) controller.close();
      } catch (e) {
        ctx.log.error("audit export failed", { request_id: actor.requestId, error_message: String(e) });
        controller.error(e);
      }
    },
  });
  const stamp = new Date(ctx.now())
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return new Response(body, {
    headers: {
      "content-type": fmt.type,
      "content-disposition": `attachment; filename="gatehouse-audit-${stamp}.${fmt.ext}"`,
      "cache-control": "no-store",
      "x-request-id": actor.requestId,
      "x-content-type-options": "nosniff",
    },
  });
}
