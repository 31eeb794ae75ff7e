import { randomBytes } from "node:crypto";

const ids = new WeakMap<Request, { id: string; start: number }>();
const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

// req_ + 32 hex: a random per-process half and a counter. Unique, not secret, and far cheaper per
// request than a fresh UUID.
const PROCESS_PART = randomBytes(8).toString("hex");
let counter = 0;
const newId = () => `req_${PROCESS_PART}${(++counter).toString(16).padStart(16, "0")}`;

/** Assigns (or adopts a well-formed incoming) request id; the same Request object is seen by every hook. */
export function assignRequestId(request: Request): string {
  const incoming = request.headers.get("x-request-id");
  const id = incoming && SAFE_ID.test(incoming) ? incoming : newId();
  ids.set(request, { id, start: performance.now() });
  return id;
}

export const requestIdOf = (request: Request): string => ids.get(request)?.id ?? assignRequestId(request);
export const elapsedMs = (request: Request): number => {
  const s = ids.get(request)?.start;
  return s === undefined ? 0 : Math.round((performance.now() - s) * 100) / 100;
};
