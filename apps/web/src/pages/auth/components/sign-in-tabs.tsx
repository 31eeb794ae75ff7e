import { type KeyboardEvent, useId } from "react";

export type SignInMethod = "password" | "token";

const methods: readonly { id: SignInMethod; label: string }[] = [
  { id: "password", label: "Password" },
  { id: "token", label: "Access token" },
];

export const tabPanelId = (base: string, method: SignInMethod) => `${base}-panel-${method}`;
export const tabId = (base: string, method: SignInMethod) => `${base}-tab-${method}`;

interface Props {
  base: string;
  value: SignInMethod;
  onChange: (method: SignInMethod) => void;
}

export function SignInTabs({ base, value, onChange }: Props) {
  const listId = useId();
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const next = value === "password" ? "token" : "password";
    onChange(next);
    document.getElementById(tabId(base, next))?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label="Sign-in method" id={listId} onKeyDown={onKeyDown}>
      {methods.map((m) => (
        <button
          key={m.id}
          type="button"
          role="tab"
          id={tabId(base, m.id)}
          aria-selected={value === m.id}
          aria-controls={tabPanelId(base, m.id)}
          tabIndex={value === m.id ? 0 : -1}
          className="tab"
          onClick={() => onChange(m.id)}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}
