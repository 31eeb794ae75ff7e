import { LogoMark } from "../components/icons";
import { Link, useLocation } from "../lib/router";
import { findPage, navGroups, pageRoutes } from "../routes";

interface SidebarProps {
  id: string;
  /** Only meaningful on narrow screens, where the sidebar is a drawer. */
  open: boolean;
  onNavigate: () => void;
}

export function Sidebar({ id, open, onNavigate }: SidebarProps) {
  const { pathname } = useLocation();
  const current = findPage(pathname);
  return (
    <nav id={id} className={open ? "sidebar is-open" : "sidebar"} aria-label="Main">
      <Link to="/" className="brand" onClick={onNavigate}>
        <LogoMark />
        <span>Gatehouse</span>
      </Link>
      {navGroups.map((group) => (
        <div className="nav-group" key={group}>
          <p className="nav-group-title" id={`${id}-${group}`}>
            {group}
          </p>
          <ul aria-labelledby={`${id}-${group}`}>
            {pageRoutes
              .filter((route) => route.group === group)
              .map((route) => (
                <li key={route.path}>
                  <Link
                    to={route.path}
                    className="nav-link"
                    aria-current={current?.path === route.path ? "page" : undefined}
                    onClick={onNavigate}
                  >
                    {route.label}
                  </Link>
                </li>
              ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
