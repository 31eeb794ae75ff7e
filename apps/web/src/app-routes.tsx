// The route gate: bootstrap first (setup or not), then the session, then the signed-in shell.
import { useQuery } from "@tanstack/react-query";
import { Suspense } from "react";
import { sessionQuery } from "./api/auth";
import { bootstrapQuery } from "./api/ui";
import { ErrorBoundary } from "./components/error-boundary";
import { LoadError } from "./components/load-error";
import { Splash } from "./components/splash";
import { AppShell } from "./layout/app-shell";
import { AuthLayout } from "./layout/auth-layout";
import { Redirect, safeNext, useLocation } from "./lib/router";
import { SignInPage } from "./pages/auth/sign-in-page";
import { NotFoundPage } from "./pages/not-found-page";
import { SetupPage } from "./pages/setup/setup-page";
import { findPage } from "./routes";

export const SIGN_IN_PATH = "/sign-in";
export const SETUP_PATH = "/setup";
/** Where the server's OIDC callback sends failures (`/signin?error=<code>`): an alias of sign-in. */
const SSO_ERROR_PATH = "/signin";

export function AppRoutes({ onOpenPalette }: { onOpenPalette: () => void }) {
  const location = useLocation();
  const { pathname } = location;
  const bootstrap = useQuery(bootstrapQuery());
  const setupDone = bootstrap.data?.setup_required === false;
  // No user exists before setup, so there is no session to ask about.
  const session = useQuery({ ...sessionQuery(), enabled: setupDone });

  if (!bootstrap.data) {
    if (!bootstrap.isError) return <Splash />;
    return (
      <AuthLayout>
        <LoadError error={bootstrap.error} onRetry={() => bootstrap.refetch()} />
      </AuthLayout>
    );
  }
  if (!setupDone) {
    if (pathname !== SETUP_PATH) return <Redirect to={SETUP_PATH} />;
    return (
      <AuthLayout>
        <SetupPage />
      </AuthLayout>
    );
  }

  if (pathname === SSO_ERROR_PATH) return <Redirect to={`${SIGN_IN_PATH}${window.location.search}`} />;

  if (session.data === undefined) {
    if (!session.isError) return <Splash />;
    return (
      <AuthLayout>
        <LoadError error={session.error} onRetry={() => session.refetch()} />
      </AuthLayout>
    );
  }
  if (!session.data) {
    if (pathname === SIGN_IN_PATH) {
      return (
        <AuthLayout>
          <SignInPage />
        </AuthLayout>
      );
    }
    const keep = pathname !== "/" && pathname !== SETUP_PATH;
    return (
      <Redirect to={keep ? `${SIGN_IN_PATH}?next=${encodeURIComponent(location.href)}` : SIGN_IN_PATH} />
    );
  }
  if (pathname === SIGN_IN_PATH || pathname === SETUP_PATH) {
    return <Redirect to={safeNext(location.search.get("next"))} />;
  }

  const page = findPage(pathname);
  return (
    <AppShell onOpenPalette={onOpenPalette}>
      <ErrorBoundary resetKey={pathname}>
        <Suspense fallback={<Splash />}>{page ? <page.component /> : <NotFoundPage />}</Suspense>
      </ErrorBoundary>
    </AppShell>
  );
}
