import { GatehouseError } from "@gatehouse/core";
import { DEFAULT_TTL_S } from "./model";

/** An explicit TTL above the policy's max_ttl is refused on REST; a default is clamped to it. */
export function applyMaxTtl(
  requested: number | undefined,
  maxTtl: number | undefined,
  fallback = DEFAULT_TTL_S,
): number {
  if (requested === undefined) return maxTtl === undefined ? fallback : Math.min(fallback, maxTtl);
  if (maxTtl !== undefined && requested > maxTtl) {
    throw new GatehouseError("ttl_out_of_range", `ttl: the policy allows at most ${maxTtl} seconds here`, {
      field: "ttl",
      max_ttl: maxTtl,
    });
  }
  return requested;
}
