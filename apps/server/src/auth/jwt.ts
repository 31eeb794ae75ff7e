import { randomUUID } from "node:crypto";
import { GatehouseError } from "@gatehouse/core";
import { errors, jwtVerify, SignJWT } from "jose";

export type TokenType = "user" | "approle" | "totp_pending";

export interface TokenClaims {
  typ: TokenType;
  /** users.id or approles.id */
  uid: string;
  /** users.token_version or approles.secret_gen at issue time. */
  ver: number;
  exp: number;
  iat: number;
  jti: string;
}

const ISSUER = "gatehouse";

export interface Jwt {
  sign(
    claims: { typ: TokenType; uid: string; ver: number },
    ttlSeconds: number,
  ): Promise<{ token: string; expiresAt: number }>;
  verify(token: string): Promise<TokenClaims>;
}

const CACHE_MAX = 10_000;

export function createJwt(key: Uint8Array, now: () => number): Jwt {
  const verified = new Map<string, TokenClaims>();
  return {
    async sign(claims, ttlSeconds) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + ttlSeconds;
      const token = await new SignJWT({ typ: claims.typ, uid: claims.uid, ver: claims.ver })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(ISSUER)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      // A token's signature and claims never change, so a verified token is remembered until it expires;
      // everything that can revoke it (suspension, rotation, disabling) is checked per request by the caller.
      const hit = verified.get(token);
      if (hit) {
        if (hit.exp * 1000 > now()) return hit;
        verified.delete(token);
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          algorithms: ["HS256"],
          currentDate: new Date(now()),
        });
        const { typ, uid, ver, exp, iat, jti } = payload as Partial<TokenClaims>;
        if (
          (typ !== "user" && typ !== "approle" && typ !== "totp_pending") ||
          typeof uid !== "string" ||
          typeof ver !== "number" ||
          typeof exp !== "number"
        ) {
          throw new GatehouseError("unauthorized", "Token is not a Gatehouse token");
        }
        const claims = { typ, uid, ver, exp, iat: iat ?? 0, jti: jti ?? "" };
        if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value ?? "");
        verified.set(token, claims);
        return claims;
      } catch (e) {
        if (e instanceof GatehouseError) throw e;
        const expired = e instanceof errors.JWTExpired;
        throw new GatehouseError("unauthorized", expired ? "Token has expired" : "Token is invalid");
      }
    },
  };
}
