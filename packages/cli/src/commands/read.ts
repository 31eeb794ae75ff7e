// What the commands that read secret values share (`secrets get`, `lease get`, `run`): the approval
// wait, the reason header and how a value is printed, so they behave alike.
import { CLIENT_OPTIONS } from "../args";
import { type Client, notApproved, PendingApproval, waitForDecision } from "../client";
import type { Io } from "../io";
import { printJson } from "../output";

type Body = Record<string, unknown>;

/** The options of a command that prints one value (`secrets get`, `lease get`). */
export const VALUE_OPTIONS = {
  ...CLIENT_OPTIONS,
  reason: { type: "string" },
  wait: { type: "string" },
  "no-newline": { type: "boolean" },
} as const;

/** --reason travels as a header, so GETs can carry it to the approver. */
export const reasonHeaders = (reason: string | undefined): Record<string, string> =>
  reason ? { "x-gatehouse-reason": reason } : {};

/** The whole reply with --json, else the value on stdout (exactly, with --no-newline). */
export function printValue(
  io: Io,
  values: { json?: boolean; "no-newline"?: boolean },
  reply: { value: string },
): void {
  if (values.json) printJson(io, reply);
  else io.stdout(values["no-newline"] ? reply.value : `${reply.value}\n`);
}

/**
 * Runs `read`; when it needs approval and `wait` seconds are given, waits for the decision, then
 * reads again (an approved read leaves a time-boxed grant, so the second read goes through).
 */
export async function withApproval<T>(
  client: Client,
  wait: number | undefined,
  io: Io,
  read: () => Promise<T>,
  approved?: (r: Body) => T | undefined,
): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof PendingApproval) || !wait) throw e;
    const r = await waitForDecision(client, e.requestId, wait, io);
    if (r.status !== "approved") throw notApproved(r);
    const direct = approved?.(r);
    return direct !== undefined ? direct : read();
  }
}
