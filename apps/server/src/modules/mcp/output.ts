import { isGatehouseError } from "@gatehouse/core";
import { createScrubber } from "@gatehouse/core/scrubber";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../../log";

// What leaves through MCP lands in a model's context, so every string in a tool's output passes the
// credential scrubber. The one exception is the field a value-handing tool exists to return
// (gatehouse_get's text, the lease's `value`, a dynamic checkout's `credential`): redacting it would
// make the tool useless, and the caller's policy already allowed it to have that value.

const scrubber = createScrubber();

export const scrubText = (text: string): string => scrubber.scrub(text).scrubbed;

/** Scrubs every string in `value`; top-level keys in `keep` are returned untouched. */
export function scrubDeep(value: unknown, keep: ReadonlySet<string> = new Set(), depth = 0): unknown {
  if (typeof value === "string") return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, new Set(), depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[scrubText(k)] = depth === 0 && keep.has(k) ? v : scrubDeep(v, new Set(), depth + 1);
    }
    return out;
  }
  return value;
}

/** A successful tool result: the object as JSON text, scrubbed except the `keep` fields. */
export function ok(value: unknown, keep: readonly string[] = []): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(scrubDeep(value, new Set(keep)), null, 2) }] };
}

/** The raw text a value-returning tool hands over (gatehouse_get: Gatehouse answered with the bare value). */
export const rawValue = (text: string): CallToolResult => ({ content: [{ type: "text", text }] });

/** A denial or failure: a tool error (isError) carrying the REST error's message and code, never a protocol error. */
export function toolError(code: string, message: string, details?: Record<string, unknown>): CallToolResult {
  return {
    isError: true,
    content: [
      { type: "text", text: JSON.stringify(scrubDeep({ error: message, code, ...details }), null, 2) },
    ],
  };
}

/** Converts anything a service throws into a tool error; unexpected errors are logged, not shown. */
export function errorResult(e: unknown, log: Logger, requestId: string, tool: string): CallToolResult {
  if (isGatehouseError(e)) return toolError(e.code, e.message, e.details);
  log.error("mcp tool failed", {
    request_id: requestId,
    tool,
    error_name: e instanceof Error ? e.name : typeof e,
    error_message: e instanceof Error ? e.message : String(e),
  });
  return toolError("internal", `Internal error; quote request id ${requestId} when reporting it`);
}
