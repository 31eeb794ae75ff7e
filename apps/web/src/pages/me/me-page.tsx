import { PageHeader } from "../../components/page-header";
import { PasswordCard } from "./components/password-card";
import { ProfileCard } from "./components/profile-card";
import { SessionsCard } from "./components/sessions-card";
import { TokensCard } from "./components/tokens-card";
import { TotpCard } from "./components/totp-card";

export function MePage() {
  return (
    <>
      <PageHeader
        title="Me"
        description="Your account, two-factor authentication, access tokens and sessions."
      />
      <div className="page-grid">
        <ProfileCard />
        <TotpCard />
      </div>
      <TokensCard />
      <SessionsCard />
      <PasswordCard />
    </>
  );
}
