import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'TokenHub-Signature';
export const EVENT_HEADER = 'TokenHub-Event';
export const DELIVERY_HEADER = 'TokenHub-Delivery';

/** The prefix of every webhook signing secret, so one found in a log or a repository is recognisable. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** How old a signature `verifyWebhookSignature` accepts by default: five minutes, either way. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** A fresh signing secret: `whsec_` and 32 random bytes in base64url. */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Hex HMAC-SHA256 over `<t>.<raw body>`, keyed with the whole secret (prefix included) as UTF-8. */
function digest(secret: string, timestamp: number | string, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(rawBody);
  return hmac.digest('hex');
}

/** The `TokenHub-Signature` value for a body sent at `timestampSeconds`: `t=<unix seconds>,v1=<hex>`. */
export function signWebhookPayload(secret: string, rawBody: string | Uint8Array, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${digest(secret, timestampSeconds, rawBody)}`;
}

export interface VerifyWebhookSignatureOptions {
  /** Seconds a signature's `t` may differ from now (replay window); default 300. */
  toleranceSeconds?: number;
  /** Now in milliseconds since the epoch (tests); default `Date.now()`. */
  now?: number;
}

/**
 * For receivers: true when `header` (the `TokenHub-Signature` value) signs exactly `rawBody` (the bytes received,
 * before any JSON parsing) with `secret`, and its timestamp is within the tolerance. Several `v1=` entries may
 * appear; one match suffices. The comparison takes the same time whatever the signature.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Uint8Array,
  options: VerifyWebhookSignatureOptions = {},
): boolean {
  if (typeof header !== 'string' || header.length > 4096) return false;
  let timestamp: string | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === 'v1') signatures.push(value);
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) return false;
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return false;
  const expected = Buffer.from(digest(secret, timestamp, rawBody), 'hex');
  let matched = false;
  for (const signature of signatures) {
    if (!/^[0-9a-f]{64}$/i.test(signature)) continue;
    // Every candidate is compared (no early return), so timing says nothing about which one matched.
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) matched = true;
  }
  return matched;
}
