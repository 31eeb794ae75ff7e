// Every signed-in page of PRODUCT.md §9. The sidebar, the command palette and the router all
// read this list, so a page is added in one place. Pages load lazily: one chunk per area.
import { type ComponentType, type LazyExoticComponent, lazy } from "react";
import { matchesPath } from "./lib/router";

export type NavGroup = "Overview" | "Vault" | "Access" | "Agents" | "System" | "Account";

export interface PageRoute {
  path: string;
  label: string;
  group: NavGroup;
  /** Extra words the command palette matches on. */
  keywords: string;
  component: LazyExoticComponent<ComponentType>;
}

function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

export const pageRoutes: readonly PageRoute[] = [
  {
    path: "/",
    label: "Dashboard",
    group: "Overview",
    keywords: "home overview status",
    component: page(() => import("./pages/dashboard/dashboard-page"), "DashboardPage"),
  },
  {
    path: "/secrets",
    label: "Secrets",
    group: "Vault",
    keywords: "kv values versions import",
    component: page(() => import("./pages/secrets/secrets-page"), "SecretsPage"),
  },
  {
    path: "/leases",
    label: "Leases",
    group: "Vault",
    keywords: "ttl renew revoke",
    component: page(() => import("./pages/leases/leases-page"), "LeasesPage"),
  },
  {
    path: "/approvals",
    label: "Approvals",
    group: "Vault",
    keywords: "requests pending approve deny",
    component: page(() => import("./pages/approvals/approvals-page"), "ApprovalsPage"),
  },
  {
    path: "/dynamic-secrets",
    label: "Dynamic secrets",
    group: "Vault",
    keywords: "postgres mysql redis mongodb ssh checkout",
    component: page(() => import("./pages/dynamic-secrets/dynamic-secrets-page"), "DynamicSecretsPage"),
  },
  {
    path: "/policies",
    label: "Policies",
    group: "Access",
    keywords: "rules capabilities simulator inspector",
    component: page(() => import("./pages/policies/policies-page"), "PoliciesPage"),
  },
  {
    path: "/approles",
    label: "AppRoles",
    group: "Access",
    keywords: "agents machine identities onboarding",
    component: page(() => import("./pages/approles/approles-page"), "AppRolesPage"),
  },
  {
    path: "/users",
    label: "Users",
    group: "Access",
    keywords: "people roles 2fa",
    component: page(() => import("./pages/users/users-page"), "UsersPage"),
  },
  {
    path: "/mcp-servers",
    label: "MCP servers",
    group: "Agents",
    keywords: "gateway tools upstream",
    component: page(() => import("./pages/mcp-servers/mcp-servers-page"), "McpServersPage"),
  },
  {
    path: "/patterns",
    label: "Patterns",
    group: "Agents",
    keywords: "proxy learned templates",
    component: page(() => import("./pages/patterns/patterns-page"), "PatternsPage"),
  },
  {
    path: "/audit",
    label: "Audit",
    group: "System",
    keywords: "log events export tail",
    component: page(() => import("./pages/audit/audit-page"), "AuditPage"),
  },
  {
    path: "/settings",
    label: "Settings",
    group: "System",
    keywords: "sso oidc retention key rotation version",
    component: page(() => import("./pages/settings/settings-page"), "SettingsPage"),
  },
  {
    path: "/me",
    label: "Me",
    group: "Account",
    keywords: "profile account totp tokens sessions",
    component: page(() => import("./pages/me/me-page"), "MePage"),
  },
];

export const navGroups: readonly NavGroup[] = ["Overview", "Vault", "Access", "Agents", "System", "Account"];

/** The most specific route containing `pathname` (`/secrets/a/b` → Secrets). */
export function findPage(pathname: string): PageRoute | undefined {
  return pageRoutes
    .filter((r) => matchesPath(r.path, pathname))
    .sort((a, b) => b.path.length - a.path.length)[0];
}
