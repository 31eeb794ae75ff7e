import type { TestApp } from "../harness/app";

export interface RouteDef {
  method: string;
  path: string;
}

/** The app's own routes (the contract the meta-test and the compat table are checked against). */
export const appRoutes = (app: TestApp["app"]): RouteDef[] =>
  app.routes
    .map((r) => ({ method: r.method.toUpperCase(), path: r.path }))
    .filter((r) => r.method !== "OPTIONS");

const literalWeight = (p: string) => p.replace(/:[^/]+|\*/g, "").length;

/** The most specific route a concrete path falls under (literal segments beat params, params beat `*`). */
export function matchRoute(routes: RouteDef[], method: string, path: string): RouteDef | undefined {
  const candidates = routes.filter((r) => {
    if (r.method !== method && r.method !== "ALL") return false;
    const re = new RegExp(
      `^${r.path
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/:[^/]+/g, "[^/]+")
        .replace(/\*/g, ".*")}$`,
    );
    return re.test(path);
  });
  return candidates.sort(
    (a, b) => literalWeight(b.path) - literalWeight(a.path) || a.path.length - b.path.length,
  )[0];
}
