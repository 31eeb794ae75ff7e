import type { ReactNode } from "react";
import { Banners } from "../components/banners";
import { LogoMark } from "../components/icons";
import { ThemeToggle } from "../components/theme-toggle";

/** The frame for pages shown before sign-in: setup, sign-in and load errors. */
export function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="auth-layout">
      <Banners />
      <header className="auth-topbar">
        <span className="brand">
          <LogoMark />
          <span>Gatehouse</span>
        </span>
        <ThemeToggle />
      </header>
      <main id="main" className="auth-main">
        {children}
      </main>
    </div>
  );
}
