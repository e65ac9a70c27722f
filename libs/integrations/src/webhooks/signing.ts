/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, DESIGN.md §6): `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, keyed by the base64-decoded part of a `whsec_` secret. Several signatures
 * may be sent space-separated, which is how a secret rotation keeps old receivers working.
 *
 * Plain `node:crypto`: the scheme is a few lines, and the independent `standardwebhooks` package
 * checks it both ways in the tests.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes; 32 is what most senders use. */
export const WEBHOOK_SECRET_BYTES = 32;
/** Receivers reject timestamps further than this from their clock (the spec's five minutes). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export type WebhookHeaderName = (typeof WEBHOOK_HEADERS)[keyof typeof WEBHOOK_HEADERS];
export type WebhookSignatureHeaders = Record<WebhookHeaderName, string>;

/** HMAC-SHA256 output is 32 bytes; a `v1` signature of any other length cannot match. */
const SIGNATURE_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new signing secret: `whsec_` followed by the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(WEBHOOK_SECRET_BYTES).toString('base64');
}

/**
 * The HMAC key of a secret. Accepts `whsec_<base64>` and, like the reference libraries, the bare
 * base64. Strict base64: `Buffer.from(…, 'base64')` silently skips garbage, which would turn a
 * mistyped secret into a different key instead of an error.
 */
export function webhookSecretKey(secret: string): Buffer {
  if (typeof secret !== 'string') throw new TypeError('webhook secret must be a string');
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  if (encoded === '' || !BASE64.test(encoded)) {
    throw new TypeError('webhook secret must be "whsec_" followed by base64');
  }
  return Buffer.from(encoded, 'base64');
}

function signatureBytes(key: Buffer, msgId: string, timestamp: number | string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${msgId}.${timestamp}.`).update(body).digest();
}

function assertSignable(msgId: string, timestampSeconds: number): void {
  // The spec: ids must not contain "." (the signed content is dot-delimited).
  if (typeof msgId !== 'string' || msgId === '' || msgId.includes('.')) {
    throw new TypeError('webhook id must be a non-empty string without "."');
  }
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new TypeError('webhook timestamp must be a non-negative integer number of seconds');
  }
}

/** `v1,<base64 HMAC-SHA256 of "msgId.timestamp.body">`. */
export function webhookSignature(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  assertSignable(msgId, timestampSeconds);
  return `v1,${signatureBytes(webhookSecretKey(secret), msgId, timestampSeconds, body).toString('base64')}`;
}

/**
 * The three Standard Webhooks headers. With several secrets (the old one during a rotation's grace
 * period and the new one) every signature is sent, space-separated; a receiver accepts any one.
 */
export function signWebhook(
  secrets: readonly string[],
  msgId: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): WebhookSignatureHeaders {
  if (secrets.length === 0) throw new TypeError('at least one webhook secret is needed to sign');
  const signatures = [...new Set(secrets)].map((secret) => webhookSignature(secret, msgId, timestampSeconds, body));
  return {
    [WEBHOOK_HEADERS.id]: msgId,
    [WEBHOOK_HEADERS.timestamp]: String(timestampSeconds),
    [WEBHOOK_HEADERS.signature]: signatures.join(' '),
  };
}

export type WebhookVerificationFailure =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'no_matching_signature';

export type WebhookVerificationResult =
  | { readonly ok: true; readonly id: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: WebhookVerificationFailure; readonly message: string };

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookVerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Node's `IncomingHttpHeaders`, a plain record (any case) or a fetch `Headers`. */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** Accepted clock difference either way; default 300 s. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock; default now. */
  readonly now?: Date;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  let value = record[name];
  if (value === undefined) {
    const key = Object.keys(record).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : record[key];
  }
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}

const fail = (reason: WebhookVerificationFailure, message: string): WebhookVerificationResult => ({
  ok: false,
  reason,
  message,
});

/**
 * Checks a received webhook: the three headers are present, the timestamp is within the tolerance
 * (replay protection, both ways), and one of the space-separated `v1` signatures matches one of the
 * secrets (compared in constant time). `body` must be the raw bytes received, not re-serialised JSON.
 * Never throws for a bad request; see `assertValidWebhook` for the throwing form.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): WebhookVerificationResult {
  const keys = (typeof secret === 'string' ? [secret] : secret).map(webhookSecretKey);
  if (keys.length === 0) throw new TypeError('at least one webhook secret is needed to verify');
  const id = header(headers, WEBHOOK_HEADERS.id);
  const timestampHeader = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatureHeader = header(headers, WEBHOOK_HEADERS.signature);
  if (!id || !timestampHeader || !signatureHeader) {
    return fail('missing_headers', 'webhook-id, webhook-timestamp and webhook-signature headers are required');
  }
  if (!/^\d{1,15}$/.test(timestampHeader)) {
    return fail('invalid_timestamp', 'webhook-timestamp must be an integer number of seconds');
  }
  const timestamp = Number(timestampHeader);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (timestamp < nowSeconds - tolerance) {
    return fail('timestamp_too_old', `webhook-timestamp is more than ${tolerance} s in the past`);
  }
  if (timestamp > nowSeconds + tolerance) {
    return fail('timestamp_too_new', `webhook-timestamp is more than ${tolerance} s in the future`);
  }

  const received: Buffer[] = [];
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    // Other schemes (`v1a`, future versions) are skipped, as the spec asks.
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const encoded = entry.slice(comma + 1);
    if (!BASE64.test(encoded)) continue;
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length === SIGNATURE_BYTES) received.push(bytes);
  }
  let matched = false;
  for (const key of keys) {
    // The header as received is what the sender signed.
    const expected = signatureBytes(key, id, timestampHeader, body);
    // No early exit: every candidate is compared, so timing does not reveal which one matched.
    for (const candidate of received) matched = timingSafeEqual(expected, candidate) || matched;
  }
  if (!matched) return fail('no_matching_signature', 'no webhook-signature matches the secret');
  return { ok: true, id, timestamp };
}

/** `verifyWebhook` that throws a `WebhookVerificationError` (with its `reason`) on failure. */
export function assertValidWebhook(
  secret: string | readonly string[],
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): { readonly id: string; readonly timestamp: number } {
  const result = verifyWebhook(secret, headers, body, options);
  if (!result.ok) throw new WebhookVerificationError(result.reason, result.message);
  return { id: result.id, timestamp: result.timestamp };
}
