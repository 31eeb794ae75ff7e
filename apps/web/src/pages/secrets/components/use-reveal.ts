import { useCallback, useEffect, useRef, useState } from "react";
import { type PendingRead, type RevealedValue, revealSecret } from "../../../api/secrets";
import type { Decision } from "./pending-approval";

export type RevealState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "value"; value: RevealedValue }
  | { kind: "pending"; pending: PendingRead }
  | { kind: "denied"; reason: string | null }
  | { kind: "expired" }
  | { kind: "error"; error: unknown };

/** A shown value is hidden again after this long. */
export const REVEAL_HIDE_MS = 120_000;

/**
 * The reveal state machine for one path (and optionally one version). The value lives only in
 * this state: it is dropped on hide, after REVEAL_HIDE_MS, and when the component unmounts.
 */
export function useReveal(path: string, version?: number) {
  const [state, setState] = useState<RevealState>({ kind: "idle" });
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const reveal = useCallback(async () => {
    setState({ kind: "loading" });
    try {
      const result = await revealSecret(path, version);
      if (!alive.current) return;
      setState(result.kind === "value" ? { kind: "value", value: result.value } : result);
    } catch (error) {
      if (alive.current) setState({ kind: "error", error });
    }
  }, [path, version]);

  const onDecided = useCallback(
    (decision: Decision) => {
      // Approved: the approval left a grant, so asking again returns the value.
      if (decision.status === "approved") void reveal();
      else if (decision.status === "denied") setState({ kind: "denied", reason: decision.reason });
      else setState({ kind: "expired" });
    },
    [reveal],
  );

  const hide = useCallback(() => setState({ kind: "idle" }), []);

  useEffect(() => {
    if (state.kind !== "value") return;
    const timer = setTimeout(hide, REVEAL_HIDE_MS);
    return () => clearTimeout(timer);
  }, [state, hide]);

  return { state, reveal, hide, onDecided };
}
