import { mongodbProvider } from "./mongodb";
import { mysqlProvider } from "./mysql";
import { postgresqlProvider } from "./postgresql";
import { redisProvider } from "./redis";
import { sshCertProvider } from "./ssh";
import { type DynamicProvider, PROVIDER_TYPES, type ProviderType } from "./types";

export type ProviderRegistry = ReadonlyMap<ProviderType, DynamicProvider>;

/** The built-in providers; tests (and only tests) pass replacements, e.g. MongoDB over a driver fake. */
export function createProviderRegistry(
  overrides: Partial<Record<ProviderType, DynamicProvider>> = {},
): ProviderRegistry {
  const builtIn: Record<ProviderType, () => DynamicProvider> = {
    postgresql: () => postgresqlProvider(),
    mysql: () => mysqlProvider(),
    mongodb: () => mongodbProvider(),
    redis: () => redisProvider(),
    "ssh-cert": () => sshCertProvider(),
  };
  return new Map(PROVIDER_TYPES.map((type) => [type, overrides[type] ?? builtIn[type]()]));
}

export { type DynamicProvider, PROVIDER_TYPES, type ProviderType } from "./types";
