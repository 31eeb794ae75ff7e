import { useEffect, useState } from "react";

type State = "idle" | "copied" | "failed";

/** Copies `value`; the result is announced in place (toasts sit below an open modal dialog). */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [state, setState] = useState<State>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const timer = setTimeout(() => setState("idle"), 2_500);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      setState("failed");
    }
  };

  return (
    <span className="copy">
      <button type="button" className="button button-secondary button-small" onClick={copy}>
        Copy {what}
      </button>
      <span className="copy-status" role="status" aria-live="polite">
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed: select the text instead" : ""}
      </span>
    </span>
  );
}
