import { CloseIcon, MenuIcon, SearchIcon } from "../components/icons";
import { ThemeToggle } from "../components/theme-toggle";
import { UserMenu } from "./user-menu";

const isApple = /Mac|iPhone|iPad/.test(navigator.userAgent);

interface TopBarProps {
  navId: string;
  menuOpen: boolean;
  onToggleMenu: () => void;
  onOpenPalette: () => void;
}

export function TopBar({ navId, menuOpen, onToggleMenu, onOpenPalette }: TopBarProps) {
  return (
    <header className="topbar">
      <button
        type="button"
        className="icon-button menu-button"
        aria-label={menuOpen ? "Close menu" : "Open menu"}
        aria-expanded={menuOpen}
        aria-controls={navId}
        onClick={onToggleMenu}
      >
        {menuOpen ? <CloseIcon /> : <MenuIcon />}
      </button>
      <button
        type="button"
        className="palette-trigger"
        aria-label="Search or jump to"
        aria-keyshortcuts="Control+K Meta+K"
        onClick={onOpenPalette}
      >
        <SearchIcon />
        <span className="palette-trigger-label">Search or jump to…</span>
        <kbd>{isApple ? "⌘K" : "Ctrl K"}</kbd>
      </button>
      <div className="topbar-actions">
        <ThemeToggle />
        <UserMenu />
      </div>
    </header>
  );
}
