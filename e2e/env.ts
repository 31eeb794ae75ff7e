// Shared by the Playwright config and the global setup: where the server under test listens.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const E2E_PORT = Number(process.env.GATEHOUSE_E2E_PORT ?? 3199);
export const BASE_URL = `http://127.0.0.1:${E2E_PORT}`;
export const CHROMIUM = process.env.GATEHOUSE_E2E_CHROMIUM ?? "/usr/bin/chromium";
