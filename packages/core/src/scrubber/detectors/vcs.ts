// Version control hosts.

import { prefixed } from "../build";
import type { Detector } from "../types";

function github(id: string, prefix: string, what: string): Detector {
  return prefixed({
    id,
    family: "vcs",
    description: `GitHub ${what}: ${prefix} + 36 alphanumerics`,
    prefixes: [prefix],
    body: "[A-Za-z0-9]{36}",
  });
}

function gitlab(id: string, prefix: string, body: string, what: string): Detector {
  return prefixed({
    id,
    family: "vcs",
    description: `GitLab ${what}: ${prefix} + ${body}`,
    prefixes: [prefix],
    body,
    tail: "[A-Za-z0-9_.-]",
  });
}

export const VCS: readonly Detector[] = [
  github("github_pat", "ghp_", "personal access token (classic)"),
  github("github_oauth_token", "gho_", "OAuth access token"),
  github("github_user_to_server_token", "ghu_", "user-to-server token"),
  github("github_server_to_server_token", "ghs_", "server-to-server (app installation / Actions) token"),
  github("github_refresh_token", "ghr_", "refresh token"),
  prefixed({
    id: "github_fine_grained_pat",
    family: "vcs",
    description: "GitHub fine-grained personal access token: github_pat_ + 22 + _ + 59 alphanumerics",
    prefixes: ["github_pat_"],
    body: "[A-Za-z0-9]{22}_[A-Za-z0-9]{59}",
    tail: "[A-Za-z0-9_]",
  }),
  gitlab(
    "gitlab_pat",
    "glpat-",
    "[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{9}|[A-Za-z0-9_-]{20}",
    "personal access token",
  ),
  gitlab("gitlab_deploy_token", "gldt-", "[A-Za-z0-9_-]{20}", "deploy token"),
  gitlab(
    "gitlab_runner_token",
    "glrt-",
    "t[0-9]_[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{9}|[A-Za-z0-9_-]{20}",
    "runner authentication token",
  ),
  gitlab("gitlab_runner_registration_token", "GR1348941", "[A-Za-z0-9_-]{20}", "runner registration token"),
  gitlab("gitlab_pipeline_trigger_token", "glptt-", "[0-9a-f]{40}", "pipeline trigger token"),
  gitlab("gitlab_cicd_job_token", "glcbt-", "[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20}", "CI/CD job token"),
  gitlab("gitlab_feed_token", "glft-", "[A-Za-z0-9_-]{20}", "feed token"),
  gitlab("gitlab_incoming_mail_token", "glimt-", "[A-Za-z0-9_-]{25}", "incoming mail token"),
  gitlab("gitlab_agent_token", "glagent-", "[A-Za-z0-9_-]{50}", "Kubernetes agent token"),
  gitlab("gitlab_oauth_app_secret", "gloas-", "[A-Za-z0-9_-]{64}", "OAuth application secret"),
  gitlab("gitlab_scim_token", "glsoat-", "[A-Za-z0-9_-]{20}", "SCIM token"),
  gitlab("gitlab_feature_flag_token", "glffct-", "[A-Za-z0-9_-]{20}", "feature flag client token"),
  prefixed({
    id: "gitlab_session_cookie",
    family: "vcs",
    description: "GitLab session cookie: _gitlab_session= + 32 lower-case alphanumerics",
    prefixes: ["_gitlab_session="],
    body: "[0-9a-z]{32}",
    noLeadingBoundary: true,
  }),
  prefixed({
    id: "bitbucket_app_password",
    family: "vcs",
    description: "Bitbucket app password: ATBB + 32 alphanumerics",
    prefixes: ["ATBB"],
    body: "[A-Za-z0-9]{32}",
  }),
  prefixed({
    id: "atlassian_api_token",
    family: "vcs",
    description: "Atlassian (Jira/Confluence/Bitbucket) API token: ATATT3 + 186 characters",
    prefixes: ["ATATT3"],
    body: "[A-Za-z0-9_=-]{186}",
    tail: "[A-Za-z0-9_=-]",
  }),
  prefixed({
    id: "sourcegraph_token",
    family: "vcs",
    description: "Sourcegraph access token: sgp_ + (16 hex or local) _ 40 hex, or sgp_ + 40 hex",
    prefixes: ["sgp_"],
    body: "(?:[a-f0-9]{16}|local)_[a-f0-9]{40}|[a-f0-9]{40}",
  }),
];
