// Browser notifications for new approval requests. Permission is asked only from a button click
// (browsers ignore or penalise prompts that no gesture triggered).
import { useSyncExternalStore } from "react";

export type NotifyPermission = NotificationPermission | "unsupported";

const supported = () => typeof window !== "undefined" && "Notification" in window;
const listeners = new Set<() => void>();

export const notificationPermission = (): NotifyPermission =>
  supported() ? Notification.permission : "unsupported";

export async function requestNotificationPermission(): Promise<NotifyPermission> {
  if (!supported()) return "unsupported";
  const result = await Notification.requestPermission();
  for (const l of listeners) l();
  return result;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function useNotificationPermission(): NotifyPermission {
  return useSyncExternalStore(subscribe, notificationPermission);
}

/** Shows a system notification when allowed; `tag` collapses repeats of the same request. */
export function showBrowserNotification(
  title: string,
  options: { body: string; tag: string; onClick?: () => void },
): void {
  if (notificationPermission() !== "granted") return;
  try {
    const n = new Notification(title, { body: options.body, tag: options.tag, icon: "/favicon.svg" });
    n.onclick = () => {
      window.focus();
      options.onClick?.();
      n.close();
    };
  } catch {
    // Some platforms only allow notifications from a service worker; the in-page toast still shows.
  }
}
