import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhookPayload, verifyWebhookSignature } from './signature.js';

const secret = 'whsec_test-secret-value';
const body = '{"id":"evt_1","type":"task.created","created_at":"2025-01-01T00:00:00.000Z","tenant_id":"ten_1","data":{}}';
const t = 1_735_689_600;
const at = (seconds: number) => ({ now: seconds * 1000 });

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 over "<t>.<raw body>" keyed with the whole secret', () => {
    const header = signWebhookPayload(secret, body, t);
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(verifyWebhookSignature(secret, header, body, at(t))).toBe(true);
    expect(verifyWebhookSignature(secret, header, Buffer.from(body), at(t + 10))).toBe(true);
  });

  it('refuses another body, another secret, a stale or future timestamp and malformed headers', () => {
    const header = signWebhookPayload(secret, body, t);
    expect(verifyWebhookSignature(secret, header, `${body} `, at(t))).toBe(false);
    expect(verifyWebhookSignature('whsec_other', header, body, at(t))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, at(t + 301))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, at(t - 301))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, { now: (t + 3_000) * 1000, toleranceSeconds: 3_600 })).toBe(true);
    for (const bad of [undefined, null, '', 'v1=abc', `t=${t}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${t},v1=zz`]) {
      expect(verifyWebhookSignature(secret, bad, body, at(t))).toBe(false);
    }
  });

  it('accepts a header listing several v1 signatures when one matches', () => {
    const valid = signWebhookPayload(secret, body, t).split(',v1=')[1];
    expect(verifyWebhookSignature(secret, `t=${t},v1=${'a'.repeat(64)},v1=${valid}`, body, at(t))).toBe(true);
  });

  it('makes secrets of 32 random bytes behind whsec_', () => {
    const one = newWebhookSecret();
    expect(one).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(one.slice(6), 'base64url')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(one);
  });
});
