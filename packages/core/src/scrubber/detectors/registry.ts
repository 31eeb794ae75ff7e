// Package registries and artifact stores.

import { isPlaceholder } from "../allowlist";
import { assigned, custom, prefixed } from "../build";
import type { Detector } from "../types";

export const REGISTRY: readonly Detector[] = [
  prefixed({
    id: "npm_access_token",
    family: "registry",
    description: "npm access token: npm_ + 36 alphanumerics",
    prefixes: ["npm_"],
    body: "[A-Za-z0-9]{36}",
  }),
  prefixed({
    id: "pypi_upload_token",
    family: "registry",
    description: "PyPI / TestPyPI API token: pypi-AgEIcHlwaS5vcmc (or AgENdGVzdC5weXBpLm9yZw) + macaroon",
    prefixes: ["pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"],
    body: "[A-Za-z0-9_-]{50,1000}",
    tail: "[A-Za-z0-9_-]",
    keep: 5,
  }),
  prefixed({
    id: "rubygems_api_key",
    family: "registry",
    description: "RubyGems API key: rubygems_ + 48 hex",
    prefixes: ["rubygems_"],
    body: "[a-f0-9]{48}",
  }),
  prefixed({
    id: "nuget_api_key",
    family: "registry",
    description: "NuGet.org API key: oy2 + 43 lower-case alphanumerics",
    prefixes: ["oy2"],
    body: "[a-z0-9]{43}",
  }),
  prefixed({
    id: "dockerhub_token",
    family: "registry",
    description:
      "Docker Hub personal/organisation access token: dckr_pat_/dckr_oat_ + 27 URL-safe characters",
    prefixes: ["dckr_pat_", "dckr_oat_"],
    body: "[A-Za-z0-9_-]{27}",
    tail: "[A-Za-z0-9_-]",
  }),
  prefixed({
    id: "crates_io_token",
    family: "registry",
    description: "crates.io API token: cio + 32 alphanumerics",
    prefixes: ["cio"],
    body: "[A-Za-z0-9]{32}",
  }),
  prefixed({
    id: "clojars_token",
    family: "registry",
    description: "Clojars deploy token: CLOJARS_ + 60 lower-case alphanumerics",
    prefixes: ["CLOJARS_"],
    body: "[a-z0-9]{60}",
  }),
  prefixed({
    id: "artifactory_api_key",
    family: "registry",
    description: "JFrog Artifactory API key: AKCp + 69 alphanumerics",
    prefixes: ["AKCp"],
    body: "[A-Za-z0-9]{69}",
  }),
  prefixed({
    id: "artifactory_reference_token",
    family: "registry",
    description: "JFrog Artifactory reference token: cmVmd + 59 alphanumerics",
    prefixes: ["cmVmd"],
    body: "[A-Za-z0-9]{59}",
    keep: 0,
  }),
];

// Registry credentials stored in client config files.
const DOCKER_AUTH = /[ \t]{0,4}:[ \t]{0,4}"([A-Za-z0-9+/]{8,1024}={0,2})"/y;

export const REGISTRY_CONFIG: readonly Detector[] = [
  custom(
    {
      id: "docker_config_auth",
      family: "registry",
      description: 'Docker config.json "auth": base64(user:password)',
      keywords: ['"auth"'],
    },
    (text, at, kwLength) => {
      DOCKER_AUTH.lastIndex = at + kwLength;
      const m = DOCKER_AUTH.exec(text);
      const value = m?.[1];
      if (!m || value === undefined) return null;
      let decoded: string;
      try {
        decoded = atob(value);
      } catch {
        return null;
      }
      const colon = decoded.indexOf(":");
      if (colon < 1 || colon === decoded.length - 1 || isPlaceholder(decoded.slice(colon + 1))) return null;
      const end = m.index + m[0].length - 1;
      return { start: end - value.length, end, keep: 0 };
    },
  ),
  assigned({
    id: "npmrc_auth_token",
    family: "registry",
    description: ".npmrc _authToken= (legacy UUID or other registry tokens)",
    names: ["_authtoken"],
    value: "[A-Za-z0-9_.+/=-]{20,512}",
    tail: "[A-Za-z0-9_.+/=-]",
    minEntropy: 3,
  }),
];
