// Labelled positives and near misses for every detector. Tokens are generated from each
// vendor's documented prefix, alphabet and length (not from the detector's regex), so a typo
// in a detector shows up here. Nothing in this file is a live credential.

import { type Ctx, embed, type Placed } from "./contexts";
import {
  ALNUM,
  B64,
  BASE32,
  BECH32,
  base64url,
  HEX,
  LETTERS,
  LOWER_ALNUM,
  Rng,
  toBase64,
  UPPER_ALNUM,
  URLSAFE,
} from "./rng";

export interface Sample {
  /** What is embedded in a context (a token, a URL, a header line, a PEM block). */
  text: string;
  /** The part that must be redacted. */
  secret: string;
}
export type Miss = string | { key: string; value: string };

export interface FormatCase {
  id: string;
  make: (r: Rng) => string | Sample;
  miss: (r: Rng) => Miss | Miss[];
  /** Label used as key in contexts; vendor-labelled detectors need their vendor's name. */
  name?: string;
  contexts?: readonly Ctx[];
}

const NEUTRAL = "value";
const TEXT_CTX: readonly Ctx[] = ["json", "env", "log"];

const c = (id: string, make: FormatCase["make"], miss: FormatCase["miss"], extra: Partial<FormatCase> = {}): FormatCase => ({
  id,
  make,
  miss,
  ...extra,
});

/** Prefix + n characters of an alphabet, with a near miss that is too short. */
const tok = (id: string, prefix: string, alphabet: string, n: number, short = Math.floor(n / 2)): FormatCase =>
  c(
    id,
    (r) => prefix + r.str(alphabet, n),
    (r) => prefix + r.str(alphabet, short),
  );

/** A value that only its label identifies; the same value unlabelled is the near miss. */
const labelled = (id: string, name: string, value: (r: Rng) => string): FormatCase =>
  c(id, value, (r) => value(r), { name });

const uuidUpper = (r: Rng) => r.uuid().toUpperCase();

function pemBlock(r: Rng, label: string, bytes = 600): string {
  const body = (r.base64(bytes).match(/.{1,64}/g) ?? []).join("\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;
}

const pem = (id: string, label: string, missLabel: string): FormatCase =>
  c(
    id,
    (r) => pemBlock(r, label),
    (r) => pemBlock(r, missLabel),
    { contexts: TEXT_CTX },
  );

const uri = (id: string, make: (pw: string) => string, misses: readonly string[]): FormatCase =>
  c(
    id,
    (r) => {
      const pw = r.alnum(12) + r.pick(["%21", "-", "_", "~", "."]) + r.alnum(6);
      return { text: make(pw), secret: pw };
    },
    () => [...misses],
  );

function jwt(r: Rng): string {
  const header = base64url(JSON.stringify({ alg: r.pick(["HS256", "RS256", "ES256"]), typ: "JWT" }));
  const payload = base64url(JSON.stringify({ sub: r.uuid(), iat: 1748779200, exp: 1748782800, scope: "read" }));
  return `${header}.${payload}.${r.str(URLSAFE, 43)}`;
}

export const FORMATS: readonly FormatCase[] = [
  // cloud
  c(
    "aws_access_key_id",
    (r) => `${r.pick(["AKIA", "ASIA"])}${r.str(BASE32, 16)}`,
    (r) => ["AKIAIOSFODNN7EXAMPLE", `AKIA${r.str(BASE32, 12)}`],
  ),
  c(
    "aws_secret_access_key",
    (r) => r.str(B64, 40),
    (r) => [r.str(B64, 40), { key: "aws_secret_access_key", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }],
    { name: "aws_secret_access_key" },
  ),
  labelled("aws_session_token", "aws_session_token", (r) => `IQoJb3JpZ2luX2Vj${r.str(B64, 300)}`),
  c(
    "aws_presigned_signature",
    (r) => {
      const sig = r.hex(64);
      return {
        text: `https://acme.s3.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250601%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250601T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${sig}`,
        secret: sig,
      };
    },
    (r) => `https://acme.s3.amazonaws.com/report.pdf?X-Amz-Date=20250601T000000Z&X-Amz-Signature=${r.hex(40)}`,
    { contexts: ["json", "env", "log", "header"] },
  ),
  tok("gcp_api_key", "AIza", URLSAFE, 35),
  tok("gcp_oauth_client_secret", "GOCSPX-", URLSAFE, 28),
  tok("google_oauth_access_token", "ya29.", URLSAFE, 160, 12),
  tok("google_oauth_refresh_token", "1//0", URLSAFE, 100, 12),
  c(
    "azure_ad_client_secret",
    (r) => `${r.str(`${ALNUM}_.`, 3)}${r.int(10)}Q~${r.str(`${ALNUM}_~.-`, 34)}`,
    (r) => `${r.str(ALNUM, 3)}8Q~${r.str(ALNUM, 20)}`,
  ),
  c(
    "azure_storage_account_key",
    (r) => {
      const key = `${r.str(B64, 86)}==`;
      return {
        text: `DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey=${key};EndpointSuffix=core.windows.net`,
        secret: key,
      };
    },
    (r) => `DefaultEndpointsProtocol=https;AccountName=acmestore;AccountKey=${r.str(B64, 40)};EndpointSuffix=core.windows.net`,
  ),
  c(
    "azure_sas_signature",
    (r) => {
      const sig = `${r.str(ALNUM, 43)}%3D`;
      return {
        text: `https://acme.blob.core.windows.net/data/file.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2025-07-01T00:00:00Z&spr=https&sig=${sig}`,
        secret: sig,
      };
    },
    (r) => `https://acme.blob.core.windows.net/data/file.csv?sv=2022-11-02&sig=${r.alnum(12)}`,
    { contexts: ["json", "env", "log", "header"] },
  ),
  tok("digitalocean_pat", "dop_v1_", HEX, 64),
  tok("digitalocean_oauth_token", "doo_v1_", HEX, 64),
  tok("digitalocean_refresh_token", "dor_v1_", HEX, 64),
  tok("alibaba_access_key_id", "LTAI", ALNUM, 20),
  tok("tencent_secret_id", "AKID", ALNUM, 32),
  tok("heroku_api_key_v2", "HRKU-AA", URLSAFE, 58),
  labelled("heroku_api_key", "heroku_api_key", (r) => r.uuid()),
  labelled("cloudflare_api_token", "cloudflare_api_token", (r) => r.str(URLSAFE, 40)),
  labelled("cloudflare_global_api_key", "cloudflare_global_api_key", (r) => r.hex(37)),
  c(
    "cloudflare_origin_ca_key",
    (r) => `v1.0-${r.hex(24)}-${r.hex(146)}`,
    (r) => `v1.0-${r.hex(24)}-${r.hex(100)}`,
  ),
  c(
    "flyio_token",
    (r) => (r.int(2) === 0 ? `fo1_${r.str(URLSAFE, 43)}` : `fm2_${r.str(B64, 240)}`),
    (r) => `fo1_${r.str(URLSAFE, 20)}`,
  ),
  tok("vault_service_token", "hvs.", URLSAFE, 95, 24),
  tok("vault_batch_token", "hvb.", URLSAFE, 150, 60),
  c(
    "terraform_cloud_token",
    (r) => `${r.alnum(14)}.atlasv1.${r.str(URLSAFE, 67)}`,
    (r) => `${r.alnum(14)}.atlasv1.${r.str(URLSAFE, 20)}`,
  ),
  c(
    "doppler_token",
    (r) => `${r.pick(["dp.pt.", "dp.st.", "dp.sa."])}${r.alnum(43)}`,
    (r) => `dp.pt.${r.alnum(20)}`,
  ),
  tok("pulumi_access_token", "pul-", HEX, 40),
  tok("scalingo_api_token", "tk-us-", URLSAFE, 48),
  tok("databricks_token", "dapi", HEX, 32),
  c(
    "openshift_user_token",
    (r) => `sha256~${r.str(URLSAFE, 43)}`,
    (r) => `sha256:${r.hex(64)}`,
  ),
  tok("infracost_api_key", "ico-", ALNUM, 32),
  tok("supabase_access_token", "sbp_", HEX, 40),
  c(
    "supabase_secret_key",
    (r) => `sb_secret_${r.str(URLSAFE, 32)}`,
    (r) => `sb_publishable_${r.str(URLSAFE, 32)}`,
  ),
  tok("render_api_key", "rnd_", ALNUM, 32),
  labelled("vercel_token", "vercel_token", (r) => r.alnum(24)),
  labelled("netlify_token", "netlify_auth_token", (r) => r.str(URLSAFE, 43)),

  // version control
  c(
    "github_pat",
    (r) => `ghp_${r.alnum(36)}`,
    (r) => [`ghp_${r.alnum(30)}`, "ghp_16C7e42F292c6912E7710c838347Ae178B4a", `ghp_${"x".repeat(36)}`],
  ),
  tok("github_oauth_token", "gho_", ALNUM, 36, 30),
  tok("github_user_to_server_token", "ghu_", ALNUM, 36, 30),
  tok("github_server_to_server_token", "ghs_", ALNUM, 36, 30),
  tok("github_refresh_token", "ghr_", ALNUM, 36, 30),
  c(
    "github_fine_grained_pat",
    (r) => `github_pat_${r.alnum(22)}_${r.alnum(59)}`,
    (r) => `github_pat_${r.alnum(22)}_${r.alnum(30)}`,
  ),
  c(
    "gitlab_pat",
    (r) => (r.int(2) === 0 ? `glpat-${r.str(URLSAFE, 20)}` : `glpat-${r.str(URLSAFE, 36)}.01${r.str(LOWER_ALNUM, 7)}`),
    (r) => `glpat-${r.str(URLSAFE, 12)}`,
  ),
  tok("gitlab_deploy_token", "gldt-", URLSAFE, 20, 12),
  tok("gitlab_runner_token", "glrt-", URLSAFE, 20, 12),
  tok("gitlab_runner_registration_token", "GR1348941", URLSAFE, 20, 12),
  tok("gitlab_pipeline_trigger_token", "glptt-", HEX, 40),
  c(
    "gitlab_cicd_job_token",
    (r) => `glcbt-${r.alnum(2)}_${r.str(URLSAFE, 20)}`,
    (r) => `glcbt-${r.alnum(2)}_${r.str(URLSAFE, 10)}`,
  ),
  tok("gitlab_feed_token", "glft-", URLSAFE, 20, 12),
  tok("gitlab_incoming_mail_token", "glimt-", URLSAFE, 25, 12),
  tok("gitlab_agent_token", "glagent-", URLSAFE, 50),
  tok("gitlab_oauth_app_secret", "gloas-", URLSAFE, 64),
  tok("gitlab_scim_token", "glsoat-", URLSAFE, 20, 12),
  tok("gitlab_feature_flag_token", "glffct-", URLSAFE, 20, 12),
  tok("gitlab_session_cookie", "_gitlab_session=", LOWER_ALNUM, 32),
  tok("bitbucket_app_password", "ATBB", ALNUM, 32),
  tok("atlassian_api_token", "ATATT3", `${URLSAFE}=`, 186, 50),
  c(
    "sourcegraph_token",
    (r) => `sgp_${r.hex(16)}_${r.hex(40)}`,
    (r) => `sgp_${r.hex(20)}`,
  ),

  // CI/CD and tooling
  c(
    "circleci_token",
    (r) => `${r.pick(["CCIPAT_", "CCIPRJ_"])}${r.alnum(22)}_${r.hex(40)}`,
    (r) => `CCIPAT_${r.alnum(22)}`,
  ),
  tok("buildkite_token", "bkua_", HEX, 40),
  c(
    "sonarqube_token",
    (r) => `${r.pick(["squ_", "sqp_", "sqa_"])}${r.hex(40)}`,
    (r) => `squ_${r.hex(20)}`,
  ),
  tok("octopus_deploy_api_key", "API-", UPPER_ALNUM, 26, 10),
  c(
    "harness_token",
    (r) => `pat.${r.str(URLSAFE, 22)}.${r.alnum(24)}.${r.alnum(20)}`,
    (r) => `pat.${r.str(URLSAFE, 22)}`,
  ),
  tok("prefect_api_key", "pnu_", ALNUM, 36),
  c(
    "postman_api_key",
    (r) => `PMAK-${r.hex(24)}-${r.hex(34)}`,
    (r) => `PMAK-${r.hex(24)}`,
  ),
  tok("onepassword_service_account_token", "ops_eyJ", B64, 300, 50),
  c(
    "onepassword_secret_key",
    (r) =>
      `A3-${r.str(UPPER_ALNUM, 6)}-${r.str(UPPER_ALNUM, 11)}-${r.str(UPPER_ALNUM, 5)}-${r.str(UPPER_ALNUM, 5)}-${r.str(UPPER_ALNUM, 5)}`,
    (r) => `A3-${r.str(UPPER_ALNUM, 6)}-${r.str(UPPER_ALNUM, 5)}`,
  ),
  labelled("travis_ci_token", "travis_token", (r) => r.alnum(22)),
  labelled("drone_ci_token", "drone_token", (r) => r.alnum(32)),
  labelled("codecov_token", "codecov_token", (r) => r.uuid()),
  labelled("jenkins_api_token", "jenkins_api_token", (r) => `11${r.hex(32)}`),
  labelled("snyk_token", "snyk_token", (r) => r.uuid()),

  // package registries
  tok("npm_access_token", "npm_", ALNUM, 36, 20),
  tok("pypi_upload_token", "pypi-AgEIcHlwaS5vcmc", URLSAFE, 150, 10),
  tok("rubygems_api_key", "rubygems_", HEX, 48),
  tok("nuget_api_key", "oy2", LOWER_ALNUM, 43, 20),
  c(
    "dockerhub_token",
    (r) => `${r.pick(["dckr_pat_", "dckr_oat_"])}${r.str(URLSAFE, 27)}`,
    (r) => `dckr_pat_${r.str(URLSAFE, 15)}`,
  ),
  tok("crates_io_token", "cio", ALNUM, 32, 20),
  tok("clojars_token", "CLOJARS_", LOWER_ALNUM, 60),
  tok("artifactory_api_key", "AKCp", ALNUM, 69, 40),
  tok("artifactory_reference_token", "cmVmd", ALNUM, 59, 30),
  c(
    "docker_config_auth",
    (r) => {
      const auth = toBase64(new TextEncoder().encode(`deploy:${r.alnum(20)}`));
      return { text: `{"auths":{"registry.example.com":{"auth":"${auth}"}}}`, secret: auth };
    },
    () => `{"auths":{"registry.example.com":{"auth":"${btoa("justausername")}"}}}`,
    { contexts: ["env", "log"] },
  ),
  c(
    "npmrc_auth_token",
    (r) => {
      const t = r.uuid();
      return { text: `//registry.npmjs.org/:_authToken=${t}`, secret: t };
    },
    () => "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    { contexts: ["json", "env", "log"] },
  ),

  // payments and commerce
  c(
    "stripe_secret_key",
    (r) => `${r.pick(["sk_live_", "sk_test_"])}${r.alnum(r.pick([24, 99]))}`,
    (r) => [`pk_live_${r.alnum(24)}`, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", `sk_live_${r.alnum(12)}`],
  ),
  tok("stripe_restricted_key", "rk_live_", ALNUM, 24, 10),
  tok("webhook_signing_secret", "whsec_", ALNUM, 32, 10),
  tok("square_access_token", "EAAA", URLSAFE, 60, 30),
  tok("square_legacy_access_token", "sq0atp-", URLSAFE, 22, 10),
  tok("square_oauth_secret", "sq0csp-", URLSAFE, 43, 20),
  c(
    "braintree_access_token",
    (r) => `access_token$production$${r.str(LOWER_ALNUM, 16)}$${r.hex(32)}`,
    (r) => `access_token$production$${r.str(LOWER_ALNUM, 16)}`,
  ),
  tok("shopify_access_token", "shpat_", HEX, 32),
  tok("shopify_custom_app_token", "shpca_", HEX, 32),
  tok("shopify_private_app_token", "shppa_", HEX, 32),
  tok("shopify_shared_secret", "shpss_", HEX, 32),
  c(
    "flutterwave_secret_key",
    (r) => `FLWSECK_TEST-${r.str("abcdefgh0123456789", 32)}-X`,
    (r) => `FLWPUBK_TEST-${r.str("abcdefgh0123456789", 32)}-X`,
  ),
  c(
    "plaid_access_token",
    (r) => `access-${r.pick(["sandbox", "development", "production"])}-${r.uuid()}`,
    (r) => `public-sandbox-${r.uuid()}`,
  ),
  tok("duffel_api_token", "duffel_test_", URLSAFE, 43, 20),
  tok("easypost_api_key", "EZAK", ALNUM, 54, 30),
  tok("shippo_api_token", "shippo_live_", HEX, 40, 20),
  labelled("razorpay_key_secret", "razorpay_key_secret", (r) => r.alnum(24)),
  labelled("paypal_client_secret", "paypal_client_secret", (r) => `E${r.str(URLSAFE, 79)}`),

  // chat and e-mail
  c(
    "slack_bot_token",
    (r) => `xoxb-${r.digits(12)}-${r.digits(13)}-${r.alnum(24)}`,
    (r) => [`xoxb-${r.digits(4)}-abc`, "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"],
  ),
  c(
    "slack_user_token",
    (r) => `xoxp-${r.digits(12)}-${r.digits(12)}-${r.digits(13)}-${r.hex(32)}`,
    (r) => `xoxp-${r.digits(12)}-${r.digits(12)}`,
  ),
  c(
    "slack_app_token",
    (r) => `xapp-1-${r.str(UPPER_ALNUM, 11)}-${r.digits(13)}-${r.hex(64)}`,
    (r) => `xapp-1-${r.str(UPPER_ALNUM, 11)}`,
  ),
  tok("slack_config_token", "xoxe.xoxp-1-", ALNUM, 164, 40),
  tok("slack_config_refresh_token", "xoxe-1-", ALNUM, 146, 40),
  c(
    "slack_legacy_token",
    (r) => `xoxs-${r.digits(10)}-${r.digits(10)}-${r.digits(10)}-${r.hex(64)}`,
    () => "xoxs-abc",
  ),
  c(
    "slack_webhook_url",
    (r) => {
      const path = `T${r.str(UPPER_ALNUM, 8)}/B${r.str(UPPER_ALNUM, 10)}/${r.alnum(24)}`;
      return { text: `https://hooks.slack.com/services/${path}`, secret: path };
    },
    () => ["https://hooks.slack.com/services/", "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"],
  ),
  c(
    "discord_webhook_url",
    (r) => {
      const path = `${r.digits(18)}/${r.str(URLSAFE, 68)}`;
      return { text: `https://discord.com/api/webhooks/${path}`, secret: path };
    },
    (r) => `https://discord.com/api/webhooks/${r.digits(18)}`,
  ),
  labelled(
    "discord_bot_token",
    "discord_bot_token",
    (r) => `${r.pick(["M", "N", "O"])}${r.str(URLSAFE, 23)}.${r.str(URLSAFE, 6)}.${r.str(URLSAFE, 27)}`,
  ),
  c(
    "telegram_bot_token",
    (r) => {
      const t = `${r.digits(10)}:AA${r.str(URLSAFE, 33)}`;
      return r.int(2) === 0 ? t : { text: `https://api.telegram.org/bot${t}/getMe`, secret: t };
    },
    (r) => `${r.digits(10)}:AB${r.str(URLSAFE, 20)}`,
  ),
  c(
    "twilio_api_key",
    (r) => `SK${r.hex(32)}`,
    (r) => `AC${r.hex(32)}`,
  ),
  labelled("twilio_auth_token", "twilio_auth_token", (r) => r.hex(32)),
  c(
    "sendgrid_api_key",
    (r) => `SG.${r.str(URLSAFE, 22)}.${r.str(URLSAFE, 43)}`,
    (r) => `SG.${r.str(URLSAFE, 22)}`,
  ),
  tok("mailgun_api_key", "key-", HEX, 32, 16),
  c(
    "mailchimp_api_key",
    (r) => `${r.hex(32)}-us${r.digits(2)}`,
    (r) => `${r.hex(20)}-us6`,
  ),
  c(
    "brevo_api_key",
    (r) => `${r.pick(["xkeysib-", "xsmtpsib-"])}${r.hex(64)}-${r.alnum(16)}`,
    (r) => `xkeysib-${r.hex(32)}`,
  ),
  c(
    "teams_webhook_url",
    (r) => {
      const path = `${r.uuid()}@${r.uuid()}/IncomingWebhook/${r.alnum(32)}/${r.uuid()}`;
      return { text: `https://acme.webhook.office.com/webhookb2/${path}`, secret: path };
    },
    (r) => `https://acme.webhook.office.com/webhookb2/${r.uuid()}`,
  ),
  labelled("postmark_server_token", "postmark_server_token", (r) => r.uuid()),
  labelled("intercom_access_token", "intercom_access_token", (r) => r.alnum(60)),
  labelled("zendesk_api_token", "zendesk_api_token", (r) => r.alnum(40)),

  // AI providers
  tok("openai_api_key", "sk-proj-", URLSAFE, 156, 20),
  c(
    "openai_legacy_key",
    (r) => `sk-${r.alnum(20)}T3BlbkFJ${r.alnum(20)}`,
    (r) => `sk-${r.alnum(48)}`,
  ),
  c(
    "anthropic_api_key",
    (r) => `sk-ant-api03-${r.str(URLSAFE, 93)}AA`,
    (r) => `sk-ant-api03-${r.str(URLSAFE, 40)}`,
  ),
  c(
    "anthropic_admin_key",
    (r) => `sk-ant-admin01-${r.str(URLSAFE, 93)}AA`,
    (r) => `sk-ant-admin01-${r.str(URLSAFE, 40)}`,
  ),
  tok("anthropic_oauth_token", "sk-ant-oat01-", URLSAFE, 95, 20),
  tok("huggingface_token", "hf_", LETTERS, 34, 20),
  tok("huggingface_org_token", "api_org_", LETTERS, 34, 20),
  tok("groq_api_key", "gsk_", ALNUM, 52, 30),
  tok("replicate_api_token", "r8_", ALNUM, 37, 20),
  tok("perplexity_api_key", "pplx-", ALNUM, 48, 20),
  tok("xai_api_key", "xai-", ALNUM, 80, 40),
  tok("openrouter_api_key", "sk-or-v1-", HEX, 64, 32),
  c(
    "langsmith_api_key",
    (r) => `${r.pick(["lsv2_pt_", "lsv2_sk_"])}${r.hex(32)}_${r.hex(10)}`,
    (r) => `lsv2_pt_${r.hex(32)}`,
  ),
  c(
    "pinecone_api_key",
    (r) => `pcsk_${r.alnum(5)}_${r.alnum(60)}`,
    (r) => `pcsk_${r.alnum(20)}`,
  ),
  tok("elevenlabs_api_key", "sk_", HEX, 48, 24),
  labelled("cohere_api_key", "cohere_api_key", (r) => r.alnum(40)),
  labelled("mistral_api_key", "mistral_api_key", (r) => r.alnum(32)),
  labelled("deepseek_api_key", "deepseek_api_key", (r) => `sk-${r.hex(32)}`),
  labelled("assemblyai_api_key", "assemblyai_api_key", (r) => r.hex(32)),
  labelled("deepgram_api_key", "deepgram_api_key", (r) => r.hex(40)),

  // observability
  labelled("datadog_api_key", "dd_api_key", (r) => r.hex(32)),
  labelled("datadog_app_key", "dd_app_key", (r) => r.hex(40)),
  tok("new_relic_user_key", "NRAK-", UPPER_ALNUM, 27, 10),
  tok("new_relic_insert_key", "NRII-", URLSAFE, 32, 10),
  tok("new_relic_browser_key", "NRJS-", HEX, 19, 10),
  c(
    "new_relic_license_key",
    (r) => `${r.hex(36)}NRAL`,
    (r) => `${r.hex(20)}NRAL`,
  ),
  tok("sentry_user_token", "sntryu_", HEX, 64, 32),
  c(
    "sentry_org_token",
    (r) => `sntrys_eyJ${r.str(B64, 120)}_${r.str(B64, 43)}`,
    (r) => `sntrys_eyJ${r.str(B64, 10)}`,
  ),
  tok("grafana_cloud_token", "glc_", B64, 96, 20),
  c(
    "grafana_service_account_token",
    (r) => `glsa_${r.alnum(32)}_${r.hex(8)}`,
    (r) => `glsa_${r.alnum(32)}`,
  ),
  tok("grafana_api_key", "eyJrIjoi", ALNUM, 100, 30),
  c(
    "dynatrace_api_token",
    (r) => `dt0c01.${r.str(UPPER_ALNUM, 24)}.${r.str(UPPER_ALNUM, 64)}`,
    (r) => `dt0c01.${r.str(UPPER_ALNUM, 24)}`,
  ),
  c(
    "posthog_personal_key",
    (r) => `phx_${r.alnum(43)}`,
    (r) => `phc_${r.alnum(43)}`,
  ),
  c(
    "launchdarkly_key",
    (r) => `${r.pick(["sdk-", "api-"])}${r.uuid()}`,
    (r) => `mob-${r.uuid()}`,
  ),
  labelled("honeycomb_api_key", "honeycomb_api_key", (r) => r.hex(32)),
  labelled("splunk_hec_token", "splunk_hec_token", uuidUpper),
  labelled("pagerduty_api_key", "pagerduty_token", (r) => r.str(`${URLSAFE}+`, 20)),
  labelled("opsgenie_api_key", "opsgenie_api_key", (r) => r.uuid()),
  labelled("rollbar_access_token", "rollbar_access_token", (r) => r.hex(32)),
  labelled("bugsnag_api_key", "bugsnag_api_key", (r) => r.hex(32)),

  // databases and connection strings
  uri("postgres_uri_password", (pw) => `postgres://app_user:${pw}@db.internal:5432/app?sslmode=require`, [
    "postgres://app_user@db.internal:5432/app",
    "postgresql://user:password@localhost:5432/mydb",
  ]),
  uri("mysql_uri_password", (pw) => `mysql://root:${pw}@10.0.0.5:3306/shop`, ["mysql://root:${MYSQL_PASSWORD}@db/shop"]),
  uri("mongodb_uri_password", (pw) => `mongodb+srv://svc:${pw}@cluster0.ab1cd.mongodb.net/app?retryWrites=true`, [
    "mongodb://localhost:27017/app",
  ]),
  uri("redis_uri_password", (pw) => `redis://:${pw}@cache:6379/0`, ["redis://cache:6379/0"]),
  uri("amqp_uri_password", (pw) => `amqps://worker:${pw}@mq.example.com:5671/vhost`, [
    "amqp://guest:guest@localhost:5672/",
  ]),
  uri("mssql_uri_password", (pw) => `sqlserver://sa:${pw}@mssql:1433?database=app`, [
    "sqlserver://sa:<password>@mssql:1433",
  ]),
  uri("ftp_uri_password", (pw) => `sftp://deploy:${pw}@files.example.com:22/uploads`, ["ftp://ftp.example.com/pub/"]),
  uri("smtp_uri_password", (pw) => `smtps://mailer:${pw}@smtp.example.com:465`, ["smtp://smtp.example.com:25"]),
  uri("ldap_uri_password", (pw) => `ldaps://admin:${pw}@ldap.example.com:636`, ["ldap://ldap.example.com/dc=example,dc=com"]),
  uri("neo4j_uri_password", (pw) => `neo4j+s://neo4j:${pw}@abc123.databases.neo4j.io`, ["bolt://localhost:7687"]),
  uri("url_credentials", (pw) => `https://deploy:${pw}@git.example.com/acme/app.git`, [
    "https://git.example.com/acme/app.git",
    "https://user:pass@example.com/",
  ]),
  tok("planetscale_password", "pscale_pw_", URLSAFE, 43, 10),
  tok("planetscale_api_token", "pscale_tkn_", URLSAFE, 43, 10),

  // keys and signed tokens
  pem("rsa_private_key", "RSA PRIVATE KEY", "PUBLIC KEY"),
  pem("ec_private_key", "EC PRIVATE KEY", "CERTIFICATE"),
  pem("dsa_private_key", "DSA PRIVATE KEY", "DSA PARAMETERS"),
  pem("openssh_private_key", "OPENSSH PRIVATE KEY", "SSH2 PUBLIC KEY"),
  pem("pkcs8_private_key", "PRIVATE KEY", "CERTIFICATE REQUEST"),
  pem("pgp_private_key", "PGP PRIVATE KEY BLOCK", "PGP PUBLIC KEY BLOCK"),
  c(
    "putty_private_key",
    (r) =>
      `PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-20250601\nPublic-Lines: 2\n${r.base64(48)}\n${r.base64(20)}\nPrivate-Lines: 1\n${r.base64(48)}\nPrivate-MAC: ${r.hex(64)}`,
    (r) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${r.base64(32)} eddsa-key-20250601`,
    { contexts: TEXT_CTX },
  ),
  c(
    "age_secret_key",
    (r) => `AGE-SECRET-KEY-1${r.str(BECH32, 58)}`,
    (r) => `age1${r.str(BECH32, 58).toLowerCase()}`,
  ),
  c("jwt", jwt, () => [
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    base64url(JSON.stringify({ alg: "HS256", typ: "JWT" })),
    `${base64url(JSON.stringify({ kind: "cursor", page: 7 }))}.${base64url(JSON.stringify({ a: 1, b: "xyzxyzxyz" }))}.abcabcabcabcabcabc`,
  ]),
  c(
    "base64_pem_private_key",
    (r) => btoa(`${pemBlock(r, "PRIVATE KEY", 300)}\n`),
    (r) => btoa(`${pemBlock(r, "PUBLIC KEY", 200)}\n`),
    { contexts: ["json", "env", "log", "yaml"] },
  ),
  c(
    "wireguard_private_key",
    (r) => r.base64(32),
    (r) => ({ key: "PublicKey", value: r.base64(32) }),
    { name: "PrivateKey", contexts: ["json", "env", "log", "yaml"] },
  ),

  // SaaS
  tok("linear_api_key", "lin_api_", ALNUM, 40, 20),
  c(
    "notion_token",
    (r) => `ntn_${r.digits(11)}${r.alnum(35)}`,
    (r) => `ntn_${r.digits(11)}`,
  ),
  tok("notion_legacy_secret", "secret_", ALNUM, 43, 20),
  c(
    "airtable_pat",
    (r) => `pat${r.alnum(14)}.${r.hex(64)}`,
    (r) => `pat${r.alnum(14)}`,
  ),
  c(
    "hubspot_private_app_token",
    (r) => `pat-${r.pick(["na1", "eu1"])}-${r.uuid()}`,
    (r) => `pat-na1-${r.hex(8)}`,
  ),
  c(
    "mapbox_secret_token",
    (r) => `sk.eyJ${r.str(URLSAFE, 80)}.${r.str(URLSAFE, 22)}`,
    (r) => `pk.eyJ${r.str(URLSAFE, 80)}.${r.str(URLSAFE, 22)}`,
  ),
  tok("typeform_pat", "tfp_", URLSAFE, 59, 20),
  tok("contentful_pat", "CFPAT-", URLSAFE, 43, 20),
  tok("frameio_token", "fio-u-", URLSAFE, 64, 20),
  tok("dropbox_access_token", "sl.", URLSAFE, 140, 20),
  tok("figma_pat", "figd_", URLSAFE, 40, 20),
  c(
    "tailscale_key",
    (r) => `tskey-${r.pick(["auth", "api", "client"])}-${r.alnum(12)}-${r.alnum(30)}`,
    (r) => `tskey-auth-${r.alnum(12)}`,
  ),
  c(
    "clickup_api_token",
    (r) => `pk_${r.digits(8)}_${r.str(UPPER_ALNUM, 32)}`,
    (r) => `pk_live_${r.alnum(24)}`,
  ),
  c(
    "fcm_server_key",
    (r) => `AAAA${r.str(URLSAFE, 7)}:APA91b${r.str(URLSAFE, 134)}`,
    (r) => `AAAA${r.str(URLSAFE, 7)}:APA91b${r.str(URLSAFE, 40)}`,
  ),
  tok("facebook_access_token", "EAAB", ALNUM, 180, 40),
  c(
    "twitter_bearer_token",
    (r) => `AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA${r.alnum(40)}%3D${r.alnum(40)}`,
    () => "A".repeat(64),
  ),
  labelled("okta_api_token", "okta_api_token", (r) => `00${r.str(URLSAFE, 40)}`),
  labelled("auth0_client_secret", "auth0_client_secret", (r) => r.str(URLSAFE, 64)),
  labelled("algolia_admin_key", "algolia_admin_key", (r) => r.hex(32)),
  labelled("trello_token", "trello_token", (r) => r.hex(64)),
  labelled("twitch_token", "twitch_client_secret", (r) => r.str(LOWER_ALNUM, 30)),
  labelled("ngrok_authtoken", "ngrok_authtoken", (r) => `${r.alnum(27)}_${r.alnum(21)}`),

  // generic
  c(
    "generic_password",
    (r) => `${r.alnum(8)}${r.pick(["!", "#", "@", "%", "*"])}${r.alnum(5)}`,
    () => [
      { key: "db_password", value: "${DB_PASSWORD}" },
      { key: "password", value: "changeme" },
      { key: "password_min_length", value: "12" },
      { key: "password", value: "<your-password>" },
    ],
    { name: "db_password" },
  ),
  c(
    "generic_secret",
    (r) => r.alnum(32),
    () => [
      { key: "secret_name", value: "prod/db/primary" },
      { key: "client_secret", value: "<your-client-secret>" },
    ],
    { name: "client_secret" },
  ),
  c(
    "generic_api_key",
    (r) => r.alnum(32),
    (r) => [
      { key: "api_key", value: "YOUR_API_KEY" },
      { key: "api_key_id", value: r.alnum(20) },
    ],
    { name: "api_key" },
  ),
  c(
    "generic_token",
    (r) => `${r.str(URLSAFE, 39)}7`,
    (r) => [
      { key: "next_page_token", value: r.alnum(40) },
      { key: "token_type", value: "Bearer" },
      { key: "csrf_token", value: r.alnum(32) },
    ],
    { name: "auth_token" },
  ),
  c(
    "netrc_password",
    (r) => {
      const pw = `${r.alnum(14)}#`;
      return { text: `machine api.example.com login deploy password ${pw}`, secret: pw };
    },
    () => "machine github.com login ada password ${GITHUB_TOKEN}",
    { contexts: ["json", "env", "log"] },
  ),
  c(
    "bearer_token",
    (r) => {
      const t = `${r.str(URLSAFE, 39)}7`;
      return { text: `Authorization: Bearer ${t}`, secret: t };
    },
    () => ["Authorization: Bearer <token>", "Authorization: Bearer ${TOKEN}"],
  ),
  c(
    "basic_auth_header",
    (r) => {
      const t = btoa(`deploy:${r.alnum(16)}`);
      return { text: `Authorization: Basic ${t}`, secret: t };
    },
    () => ['WWW-Authenticate: Basic realm="api"', `Authorization: Basic ${btoa("anonymous")}`],
  ),
  c(
    "cli_user_password",
    (r) => {
      const pw = `${r.alnum(14)}!`;
      return { text: `curl -u deploy:${pw} https://api.example.com/v1/deploy`, secret: pw };
    },
    () => ['curl -u "$API_USER:$API_PASS" https://api.example.com/v1/deploy'],
    { contexts: ["json", "log", "env"] },
  ),
];

export interface Positive extends Placed {
  id: string;
}
export interface Negative {
  id: string;
  label: string;
  text: string;
}

function asSample(v: string | Sample): Sample {
  return typeof v === "string" ? { text: v, secret: v } : v;
}

/** Every case in every context: positives with the secret's position, near misses as negatives. */
export function buildCorpus(seed = 1234): { positives: Positive[]; negatives: Negative[] } {
  const r = new Rng(seed);
  const positives: Positive[] = [];
  const negatives: Negative[] = [];
  for (const f of FORMATS) {
    const key = f.name ?? NEUTRAL;
    for (const ctx of f.contexts ?? ["json", "env", "log", "url", "header"]) {
      const s = asSample(f.make(r));
      positives.push({ id: f.id, ...embed(ctx, key, s.text, s.secret, r) });
    }
    const misses = f.miss(r);
    for (const m of Array.isArray(misses) ? misses : [misses]) {
      const mk = typeof m === "string" ? NEUTRAL : m.key;
      const mv = typeof m === "string" ? m : m.value;
      for (const ctx of ["json", "env"] as const) {
        negatives.push({ id: f.id, label: `near miss (${ctx})`, text: embed(ctx, mk, mv, mv, r).text });
      }
    }
  }
  return { positives, negatives };
}
