import { type ReactNode, useEffect, useId, useState } from "react";
import { Banners } from "../components/banners";
import { LiveUpdates } from "./live-updates";
import { Sidebar } from "./sidebar";
import { TopBar } from "./top-bar";

export function AppShell({ children, onOpenPalette }: { children: ReactNode; onOpenPalette: () => void }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const navId = useId();

  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (event: KeyboardEvent) => event.key === "Escape" && setMenuOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [menuOpen]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <LiveUpdates />
      <Sidebar id={navId} open={menuOpen} onNavigate={() => setMenuOpen(false)} />
      {menuOpen ? (
        <div className="drawer-backdrop" aria-hidden="true" onClick={() => setMenuOpen(false)} />
      ) : null}
      <div className="shell-main">
        <Banners />
        <TopBar
          navId={navId}
          menuOpen={menuOpen}
          onToggleMenu={() => setMenuOpen((open) => !open)}
          onOpenPalette={onOpenPalette}
        />
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
