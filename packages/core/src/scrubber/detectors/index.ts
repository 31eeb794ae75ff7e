// Every built-in detector, in a stable order (specific families first, generic last).

import type { Detector } from "../types";
import { AI } from "./ai";
import { CHAT } from "./chat";
import { CI } from "./ci";
import { CLOUD } from "./cloud";
import { DATABASE } from "./database";
import { GENERIC } from "./generic";
import { KEYS } from "./keys";
import { OBSERVABILITY } from "./observability";
import { PAYMENT } from "./payment";
import { REGISTRY, REGISTRY_CONFIG } from "./registry";
import { SAAS } from "./saas";
import { VCS } from "./vcs";

export const DETECTORS: readonly Detector[] = [
  ...CLOUD,
  ...VCS,
  ...CI,
  ...REGISTRY,
  ...REGISTRY_CONFIG,
  ...PAYMENT,
  ...CHAT,
  ...AI,
  ...OBSERVABILITY,
  ...DATABASE,
  ...KEYS,
  ...SAAS,
  ...GENERIC,
];
