import { createHmac } from "node:crypto";

/**
 * A web session's CSRF token: an HMAC of the session id under the server's signing key. The same
 * whenever it is asked for, so every tab of one session holds a working token (a token re-issued at
 * random on each page load broke the other open tabs); a page on another site cannot compute it.
 */
export const csrfFor = (key: Uint8Array, sessionId: string): string =>
  createHmac("sha256", key).update(`gatehouse/csrf\u0000${sessionId}`).digest("base64url");
