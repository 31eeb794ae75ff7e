import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import {
  isTotpChallenge,
  type SignInResult,
  type TotpChallenge,
  usePasswordSignIn,
  useStartSession,
  useTokenSignIn,
  useTotpVerification,
} from "../../api/auth";
import { ssoErrorMessage } from "../../api/sso";
import { bootstrapQuery } from "../../api/ui";
import { useLocation } from "../../lib/router";
import { PasswordForm } from "./components/password-form";
import { type SignInMethod, SignInTabs, tabPanelId } from "./components/sign-in-tabs";
import { TokenForm } from "./components/token-form";
import { TotpForm } from "./components/totp-form";

// Once a session is stored, the app's route gate sends the user on to `?next=` (or home).
export function SignInPage() {
  const ssoEnabled = useQuery(bootstrapQuery()).data?.sso_enabled ?? false;
  // A failed SSO sign-in comes back as ?error=<code> (see api/sso.ts).
  const ssoError = useLocation().search.get("error");
  const [method, setMethod] = useState<SignInMethod>("password");
  const [challenge, setChallenge] = useState<TotpChallenge | null>(null);
  const base = useId();
  const startSession = useStartSession();
  const password = usePasswordSignIn();
  const token = useTokenSignIn();
  const totp = useTotpVerification();

  const handleResult = (result: SignInResult) => {
    if (isTotpChallenge(result)) setChallenge(result);
    else startSession(result);
  };

  if (challenge) {
    return (
      <section className="card auth-card" aria-labelledby={`${base}-title`}>
        <h1 id={`${base}-title`}>Two-factor authentication</h1>
        <p className="muted">Enter the code from your authenticator app to finish signing in.</p>
        <TotpForm
          pending={totp.isPending}
          error={totp.error}
          onSubmit={({ code }) =>
            totp.mutate({ totp_token: challenge.totp_token, code }, { onSuccess: startSession })
          }
          onCancel={() => {
            totp.reset();
            setChallenge(null);
          }}
        />
      </section>
    );
  }

  return (
    <section className="card auth-card" aria-labelledby={`${base}-title`}>
      <h1 id={`${base}-title`}>Sign in to Gatehouse</h1>
      {ssoError ? (
        <div className="form-error" role="alert">
          <p>{ssoErrorMessage(ssoError)}</p>
          <p className="request-id">
            Code <code>{ssoError}</code>
          </p>
        </div>
      ) : null}
      <SignInTabs base={base} value={method} onChange={setMethod} />
      {/* Unnamed on purpose: a panel named "Password" would make getByLabel("Password") ambiguous. */}
      <div role="tabpanel" id={tabPanelId(base, method)}>
        {method === "password" ? (
          <PasswordForm
            pending={password.isPending}
            error={password.error}
            onSubmit={(values) => password.mutate(values, { onSuccess: handleResult })}
          />
        ) : (
          <TokenForm
            pending={token.isPending}
            error={token.error}
            onSubmit={(values) => token.mutate(values, { onSuccess: handleResult })}
          />
        )}
      </div>
      {ssoEnabled ? (
        <>
          <div className="divider">
            <span>or</span>
          </div>
          {/* A full page load: the OIDC flow is a chain of server redirects. */}
          <a className="button button-secondary button-block" href="/v1/auth/oidc/login">
            Sign in with SSO
          </a>
        </>
      ) : null}
    </section>
  );
}
