// Theme choice is the only thing the SPA keeps in localStorage. Without a stored choice the
// operating system's preference applies (prefers-color-scheme), and follows it live.
import { useSyncExternalStore } from "react";

export type Theme = "light" | "dark";

const STORAGE_KEY = "gatehouse.theme";
const media = window.matchMedia("(prefers-color-scheme: dark)");
const listeners = new Set<() => void>();

function storedTheme(): Theme | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return value === "light" || value === "dark" ? value : null;
  } catch {
    return null;
  }
}

export const currentTheme = (): Theme => storedTheme() ?? (media.matches ? "dark" : "light");

export function applyTheme(): void {
  document.documentElement.dataset.theme = currentTheme();
}

function changed(): void {
  applyTheme();
  for (const listener of listeners) listener();
}

export function setTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Storage can be disabled; the choice then lasts for this page only.
  }
  document.documentElement.dataset.theme = theme;
  for (const listener of listeners) listener();
}

const appliedTheme = (): Theme => {
  const value = document.documentElement.dataset.theme;
  return value === "light" || value === "dark" ? value : currentTheme();
};

export const toggleTheme = (): void => setTheme(appliedTheme() === "dark" ? "light" : "dark");

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) media.addEventListener("change", changed);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) media.removeEventListener("change", changed);
  };
}

export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, appliedTheme);
}
