import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  assertValidWebhook,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  webhookSecretKey,
  webhookSignature,
} from './signing';

// The test vector of the reference libraries (standard-webhooks, libraries/javascript "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  msgId: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const AT_VECTOR = new Date(VECTOR.timestamp * 1000);
const vectorHeaders = (signature = VECTOR.signature) => ({
  'webhook-id': VECTOR.msgId,
  'webhook-timestamp': String(VECTOR.timestamp),
  'webhook-signature': signature,
});

describe('webhook secrets', () => {
  it('are whsec_ followed by the base64 of 32 random bytes, different every time', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretKey(a)).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('refuse a secret that is not base64 instead of silently using another key', () => {
    expect(() => webhookSecretKey('whsec_')).toThrow(TypeError);
    expect(() => webhookSecretKey('whsec_not base64!')).toThrow(TypeError);
    expect(() => webhookSecretKey('whsec_abc')).toThrow(TypeError); // bad padding
  });
});

describe('webhookSignature', () => {
  it('reproduces the reference test vector, with or without the whsec_ prefix', () => {
    expect(webhookSignature(VECTOR.secret, VECTOR.msgId, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookSignature(VECTOR.secret.slice(6), VECTOR.msgId, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookSignature(VECTOR.secret, VECTOR.msgId, VECTOR.timestamp, Buffer.from(VECTOR.body))).toBe(
      VECTOR.signature,
    );
  });

  it('refuses ids with "." and timestamps that are not whole seconds (the signed content is dot-delimited)', () => {
    expect(() => webhookSignature(VECTOR.secret, 'a.b', VECTOR.timestamp, '{}')).toThrow(TypeError);
    expect(() => webhookSignature(VECTOR.secret, '', VECTOR.timestamp, '{}')).toThrow(TypeError);
    expect(() => webhookSignature(VECTOR.secret, 'id', 1.5, '{}')).toThrow(TypeError);
    expect(() => webhookSignature(VECTOR.secret, 'id', -1, '{}')).toThrow(TypeError);
  });
});

describe('signWebhook', () => {
  it('produces the three Standard Webhooks headers', () => {
    expect(signWebhook([VECTOR.secret], VECTOR.msgId, VECTOR.timestamp, VECTOR.body)).toEqual(vectorHeaders());
  });

  it('sends one signature per secret, space-separated, during a rotation', () => {
    const fresh = generateWebhookSecret();
    const headers = signWebhook([VECTOR.secret, fresh], VECTOR.msgId, VECTOR.timestamp, VECTOR.body);
    const [old, current] = headers['webhook-signature'].split(' ');
    expect(old).toBe(VECTOR.signature);
    expect(current).toBe(webhookSignature(fresh, VECTOR.msgId, VECTOR.timestamp, VECTOR.body));
    // Both the receiver still on the old secret and the one already on the new secret accept it.
    expect(verifyWebhook(VECTOR.secret, headers, VECTOR.body, { now: AT_VECTOR }).ok).toBe(true);
    expect(verifyWebhook(fresh, headers, VECTOR.body, { now: AT_VECTOR }).ok).toBe(true);
  });

  it('needs at least one secret', () => {
    expect(() => signWebhook([], VECTOR.msgId, VECTOR.timestamp, VECTOR.body)).toThrow(TypeError);
  });
});

describe('verifyWebhook', () => {
  const verify = (headers: Record<string, string>, body = VECTOR.body, now = AT_VECTOR, toleranceSeconds?: number) =>
    verifyWebhook(VECTOR.secret, headers, body, { now, ...(toleranceSeconds ? { toleranceSeconds } : {}) });

  it('accepts the reference test vector and returns the id and timestamp', () => {
    expect(verify(vectorHeaders())).toEqual({ ok: true, id: VECTOR.msgId, timestamp: VECTOR.timestamp });
  });

  it('rejects a tampered body, id or timestamp', () => {
    expect(verify(vectorHeaders(), '{"test": 2432232315}')).toMatchObject({ ok: false, reason: 'no_matching_signature' });
    expect(verify({ ...vectorHeaders(), 'webhook-id': 'msg_other' })).toMatchObject({ reason: 'no_matching_signature' });
    expect(verify({ ...vectorHeaders(), 'webhook-timestamp': String(VECTOR.timestamp + 1) })).toMatchObject({
      reason: 'no_matching_signature',
    });
  });

  it('rejects a signature made with another secret', () => {
    const other = signWebhook([generateWebhookSecret()], VECTOR.msgId, VECTOR.timestamp, VECTOR.body);
    expect(verify(other)).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it('accepts any one of several space-separated signatures and skips other schemes', () => {
    const bogus = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';
    const header = [bogus, 'v2,' + VECTOR.signature.slice(3), 'v1a,abcd', VECTOR.signature, bogus].join(' ');
    expect(verify(vectorHeaders(header)).ok).toBe(true);
    // The right bytes under another version tag do not count.
    expect(verify(vectorHeaders([bogus, 'v2,' + VECTOR.signature.slice(3)].join(' ')))).toMatchObject({
      reason: 'no_matching_signature',
    });
  });

  it('rejects partial, empty and malformed signatures', () => {
    for (const s of [VECTOR.signature.slice(0, 8), 'v1,', 'v1', 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'v1,***']) {
      expect(verify(vectorHeaders(s))).toMatchObject({ ok: false, reason: 'no_matching_signature' });
    }
  });

  it('rejects missing headers', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const headers: Record<string, string> = vectorHeaders();
      delete headers[name];
      expect(verify(headers)).toMatchObject({ ok: false, reason: 'missing_headers' });
    }
  });

  it('rejects a timestamp that is not an integer', () => {
    for (const t of ['hello', '1614265330.5', '-1614265330', '']) {
      expect(verify({ ...vectorHeaders(), 'webhook-timestamp': t })).toMatchObject({ ok: false });
    }
    expect(verify({ ...vectorHeaders(), 'webhook-timestamp': 'hello' })).toMatchObject({ reason: 'invalid_timestamp' });
  });

  it('rejects timestamps more than the tolerance in the past or the future, and accepts the edges', () => {
    const at = (offsetSeconds: number) => new Date((VECTOR.timestamp + offsetSeconds) * 1000);
    expect(verify(vectorHeaders(), VECTOR.body, at(300)).ok).toBe(true);
    expect(verify(vectorHeaders(), VECTOR.body, at(-300)).ok).toBe(true);
    expect(verify(vectorHeaders(), VECTOR.body, at(301))).toMatchObject({ reason: 'timestamp_too_old' });
    expect(verify(vectorHeaders(), VECTOR.body, at(-301))).toMatchObject({ reason: 'timestamp_too_new' });
    expect(verify(vectorHeaders(), VECTOR.body, at(30), 10)).toMatchObject({ reason: 'timestamp_too_old' });
  });

  it('reads headers in any case, from Node header records (arrays too) and fetch Headers', () => {
    const upper = { 'Webhook-Id': VECTOR.msgId, 'WEBHOOK-TIMESTAMP': String(VECTOR.timestamp), 'webhook-signature': [VECTOR.signature] };
    expect(verifyWebhook(VECTOR.secret, upper, VECTOR.body, { now: AT_VECTOR }).ok).toBe(true);
    expect(verifyWebhook(VECTOR.secret, new Headers(vectorHeaders()), Buffer.from(VECTOR.body), { now: AT_VECTOR }).ok).toBe(true);
  });

  it('accepts several receiver secrets (the receiver side of a rotation)', () => {
    expect(verifyWebhook([generateWebhookSecret(), VECTOR.secret], vectorHeaders(), VECTOR.body, { now: AT_VECTOR }).ok).toBe(true);
  });

  it('has a throwing form that carries the reason', () => {
    expect(assertValidWebhook(VECTOR.secret, vectorHeaders(), VECTOR.body, { now: AT_VECTOR })).toEqual({
      id: VECTOR.msgId,
      timestamp: VECTOR.timestamp,
    });
    let caught: unknown;
    try {
      assertValidWebhook(VECTOR.secret, vectorHeaders(), '{}', { now: AT_VECTOR });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WebhookVerificationError);
    expect(caught).toMatchObject({ reason: 'no_matching_signature' });
  });
});

describe('interoperability with the standardwebhooks package', () => {
  const body = JSON.stringify({ specversion: '1.0', id: '0190', data: { name: 'Café ☕ "quoted"' } });
  const msgId = '01900000-0000-7000-8000-000000000001';

  it('their Webhook.verify accepts our headers, each of several rotated signatures included', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const headers = signWebhook([oldSecret, newSecret], msgId, Math.floor(Date.now() / 1000), body);
    expect(new Webhook(oldSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(newSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('our verifyWebhook accepts their signatures', () => {
    const secret = generateWebhookSecret();
    const now = new Date();
    const timestamp = Math.floor(now.getTime() / 1000);
    const signature = new Webhook(secret).sign(msgId, now, body);
    const headers = { 'webhook-id': msgId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
    expect(verifyWebhook(secret, headers, body, { now })).toEqual({ ok: true, id: msgId, timestamp });
    expect(signature).toBe(webhookSignature(secret, msgId, timestamp, body));
  });

  it('a receiver with nothing but node:crypto can verify (the integrator guide snippet)', () => {
    const secret = generateWebhookSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signWebhook([secret], msgId, timestamp, body);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature'].split(' ')).toContain(`v1,${expected}`);
  });
});
