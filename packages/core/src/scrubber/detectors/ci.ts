// CI/CD, developer tooling and secret managers.

import { assigned, prefixed } from "../build";
import type { Detector } from "../types";
import { UUID_LOWER } from "./shared";

export const CI: readonly Detector[] = [
  prefixed({
    id: "circleci_token",
    family: "ci",
    description: "CircleCI personal/project token: CCIPAT_/CCIPRJ_ + 22 alphanumerics + _ + 40 hex",
    prefixes: ["CCIPAT_", "CCIPRJ_"],
    body: "[A-Za-z0-9]{22}_[a-f0-9]{40}",
  }),
  prefixed({
    id: "buildkite_token",
    family: "ci",
    description: "Buildkite API access token: bkua_ + 40 hex",
    prefixes: ["bkua_"],
    body: "[a-f0-9]{40}",
  }),
  prefixed({
    id: "sonarqube_token",
    family: "ci",
    description: "SonarQube token: squ_/sqp_/sqa_ + 40 hex",
    prefixes: ["squ_", "sqp_", "sqa_"],
    body: "[a-f0-9]{40}",
  }),
  prefixed({
    id: "octopus_deploy_api_key",
    family: "ci",
    description: "Octopus Deploy API key: API- + 25-27 upper-case alphanumerics",
    prefixes: ["API-"],
    body: "[A-Z0-9]{25,27}",
  }),
  prefixed({
    id: "harness_token",
    family: "ci",
    description: "Harness PAT/SAT: pat./sat. + 22 . 24 . 20 characters",
    prefixes: ["pat.", "sat."],
    body: "[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}",
  }),
  prefixed({
    id: "prefect_api_key",
    family: "ci",
    description: "Prefect API key: pnu_ + 36 alphanumerics",
    prefixes: ["pnu_"],
    body: "[A-Za-z0-9]{36}",
  }),
  prefixed({
    id: "postman_api_key",
    family: "ci",
    description: "Postman API key: PMAK- + 24 hex + - + 34 hex",
    prefixes: ["PMAK-"],
    body: "[a-f0-9]{24}-[a-f0-9]{34}",
  }),
  prefixed({
    id: "onepassword_service_account_token",
    family: "ci",
    description: "1Password service account token: ops_eyJ + 250+ base64",
    prefixes: ["ops_eyJ"],
    body: "[A-Za-z0-9+/]{250,8192}={0,3}",
    tail: "[A-Za-z0-9+/=]",
    keep: 4,
  }),
  prefixed({
    id: "onepassword_secret_key",
    family: "ci",
    description: "1Password account secret key: A3-XXXXXX-… groups of upper-case alphanumerics",
    prefixes: ["A3-"],
    body: "[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}",
  }),
  assigned({
    id: "travis_ci_token",
    family: "ci",
    description: "Travis CI access token: 22 alphanumerics labelled travis",
    names: ["travis"],
    value: "[A-Za-z0-9]{22}",
    minEntropy: 3.2,
  }),
  assigned({
    id: "drone_ci_token",
    family: "ci",
    description: "Drone CI token: 32 alphanumerics labelled drone",
    names: ["drone_token", "droneci", "drone_ci", "drone-token"],
    value: "[A-Za-z0-9]{32}",
    minEntropy: 3.2,
  }),
  assigned({
    id: "codecov_token",
    family: "ci",
    description: "Codecov upload token: a UUID labelled codecov",
    names: ["codecov"],
    value: UUID_LOWER,
  }),
  assigned({
    id: "jenkins_api_token",
    family: "ci",
    description: "Jenkins API token: 11 + 32 hex labelled jenkins",
    names: ["jenkins"],
    value: "11[a-f0-9]{32}",
  }),
  assigned({
    id: "snyk_token",
    family: "ci",
    description: "Snyk API token: a UUID labelled snyk",
    names: ["snyk"],
    value: UUID_LOWER,
  }),
];
