import { randomBytes } from "node:crypto";

// Per-request bookkeeping lives on the Request itself: a symbol-keyed property costs less than a
// WeakMap entry per request, and every hook sees the same Request object.
const STATE = Symbol("gatehouse.request");
type State = { id: string; start: number; answered: boolean };
type Tagged = Request & { [STATE]?: State };
const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

// req_ + 32 hex: a random per-process half and a counter. Unique, not secret, and far cheaper per
// request than a fresh UUID.
const PROCESS_PART = randomBytes(8).toString("hex");
const ZEROS = "0".repeat(16);
let counter = 0;
const newId = () => {
  const n = (++counter).toString(16);
  return `req_${PROCESS_PART}${ZEROS.slice(n.length)}${n}`;
};

function stateOf(request: Request): State {
  const tagged = request as Tagged;
  let state = tagged[STATE];
  if (!state) {
    const incoming = request.headers.get("x-request-id");
    state = {
      id: incoming && SAFE_ID.test(incoming) ? incoming : newId(),
      start: performance.now(),
      answered: false,
    };
    tagged[STATE] = state;
  }
  return state;
}

/** Assigns (or adopts a well-formed incoming) request id. */
export const assignRequestId = (request: Request): string => stateOf(request).id;
export const requestIdOf = assignRequestId;
export const elapsedMs = (request: Request): number =>
  Math.round((performance.now() - stateOf(request).start) * 100) / 100;

/** True the first time it is called for a request: a response is counted once, however it ended. */
export function firstAnswer(request: Request): boolean {
  const state = stateOf(request);
  if (state.answered) return false;
  state.answered = true;
  return true;
}
