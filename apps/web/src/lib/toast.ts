// A tiny external store for notifications, so non-React code (the QueryClient's error hooks)
// can raise a toast without a provider.

export type ToastKind = "error" | "success" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  requestId: string | null;
}

const MAX_VISIBLE = 4;
const AUTO_DISMISS_MS = 6_000;

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

function push(kind: ToastKind, message: string, requestId: string | null = null): number {
  const id = nextId++;
  toasts = [...toasts, { id, kind, message, requestId }].slice(-MAX_VISIBLE);
  emit();
  // Errors stay until dismissed: the request id is what the operator copies into a bug report.
  if (kind !== "error") setTimeout(() => dismissToast(id), AUTO_DISMISS_MS);
  return id;
}

export function dismissToast(id: number): void {
  const next = toasts.filter((t) => t.id !== id);
  if (next.length === toasts.length) return;
  toasts = next;
  emit();
}

export const toast = {
  error: (message: string, requestId?: string | null) => push("error", message, requestId ?? null),
  success: (message: string) => push("success", message),
  info: (message: string) => push("info", message),
};

export function subscribeToasts(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export const getToasts = (): readonly Toast[] => toasts;
