// Payments, commerce and shipping.

import { assigned, prefixed } from "../build";
import type { Detector } from "../types";
import { UUID_LOWER } from "./shared";

function shopify(id: string, prefix: string, what: string): Detector {
  return prefixed({
    id,
    family: "payment",
    description: `Shopify ${what}: ${prefix} + 32 hex`,
    prefixes: [prefix],
    body: "[a-fA-F0-9]{32}",
  });
}

export const PAYMENT: readonly Detector[] = [
  prefixed({
    id: "stripe_secret_key",
    family: "payment",
    description: "Stripe secret key: sk_live_/sk_test_ + 24-247 alphanumerics",
    prefixes: ["sk_live_", "sk_test_"],
    body: "[A-Za-z0-9]{24,247}",
  }),
  prefixed({
    id: "stripe_restricted_key",
    family: "payment",
    description: "Stripe restricted key: rk_live_/rk_test_ + 24-247 alphanumerics",
    prefixes: ["rk_live_", "rk_test_"],
    body: "[A-Za-z0-9]{24,247}",
  }),
  prefixed({
    id: "webhook_signing_secret",
    family: "payment",
    description: "Stripe / Svix webhook signing secret: whsec_ + 32-88 base64 characters",
    prefixes: ["whsec_"],
    body: "[A-Za-z0-9+/]{32,88}={0,2}",
    tail: "[A-Za-z0-9+/=]",
  }),
  prefixed({
    id: "square_access_token",
    family: "payment",
    description: "Square access token: EAAA + 60 URL-safe characters",
    prefixes: ["EAAA"],
    body: "[A-Za-z0-9_-]{60}",
    tail: "[A-Za-z0-9_-]",
  }),
  prefixed({
    id: "square_legacy_access_token",
    family: "payment",
    description: "Square legacy access token: sq0atp- + 22 URL-safe characters",
    prefixes: ["sq0atp-"],
    body: "[A-Za-z0-9_-]{22}",
    tail: "[A-Za-z0-9_-]",
  }),
  prefixed({
    id: "square_oauth_secret",
    family: "payment",
    description: "Square OAuth application secret: sq0csp- + 43 URL-safe characters",
    prefixes: ["sq0csp-"],
    body: "[A-Za-z0-9_-]{43}",
    tail: "[A-Za-z0-9_-]",
  }),
  prefixed({
    id: "braintree_access_token",
    family: "payment",
    description: "PayPal Braintree access token: access_token$production$ + 16 + $ + 32 hex",
    prefixes: ["access_token$production$", "access_token$sandbox$"],
    body: "[0-9a-z]{16}\\$[0-9a-f]{32}",
    keep: 13,
  }),
  shopify("shopify_access_token", "shpat_", "Admin API access token"),
  shopify("shopify_custom_app_token", "shpca_", "custom app access token"),
  shopify("shopify_private_app_token", "shppa_", "private app access token"),
  shopify("shopify_shared_secret", "shpss_", "app shared secret"),
  prefixed({
    id: "flutterwave_secret_key",
    family: "payment",
    description: "Flutterwave secret key: FLWSECK- / FLWSECK_TEST- + 32 hex-ish + -X",
    prefixes: ["FLWSECK_TEST-", "FLWSECK-"],
    body: "[a-h0-9]{32}-X",
  }),
  prefixed({
    id: "plaid_access_token",
    family: "payment",
    description: "Plaid access token: access-sandbox-/access-development-/access-production- + UUID",
    prefixes: ["access-sandbox-", "access-development-", "access-production-"],
    body: UUID_LOWER,
  }),
  prefixed({
    id: "duffel_api_token",
    family: "payment",
    description: "Duffel API token: duffel_live_/duffel_test_ + 43 characters",
    prefixes: ["duffel_live_", "duffel_test_"],
    body: "[A-Za-z0-9_=-]{43}",
    tail: "[A-Za-z0-9_=-]",
  }),
  prefixed({
    id: "easypost_api_key",
    family: "payment",
    description: "EasyPost API key: EZAK/EZTK + 54 alphanumerics",
    prefixes: ["EZAK", "EZTK"],
    body: "[A-Za-z0-9]{54}",
  }),
  prefixed({
    id: "shippo_api_token",
    family: "payment",
    description: "Shippo API token: shippo_live_/shippo_test_ + 40 hex",
    prefixes: ["shippo_live_", "shippo_test_"],
    body: "[a-f0-9]{40}",
  }),
  assigned({
    id: "razorpay_key_secret",
    family: "payment",
    description: "Razorpay key secret: 24 alphanumerics labelled razorpay",
    names: ["razorpay"],
    value: "[A-Za-z0-9]{24}",
    minEntropy: 3.2,
  }),
  assigned({
    id: "paypal_client_secret",
    family: "payment",
    description: "PayPal REST client secret: 80 URL-safe characters labelled paypal",
    names: ["paypal"],
    value: "E[A-Za-z0-9_-]{79}",
    minEntropy: 4,
  }),
];
