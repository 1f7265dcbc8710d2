import { describe, expect, it } from 'vitest';
import { cutAtWord, redactSecrets, redactSecretText } from './redact-secrets.js';

describe('redactSecretText', () => {
  it('masks API keys, bearer tokens, JWTs, private keys, passwords and emails, and leaves the rest', () => {
    const text = [
      'openai sk-proj-abcdefghijklmnop1234, anthropic sk-ant-api03-abcdefghijklmnopqrstu',
      'tokenhub thk_AbCdEfGhIjKlMnOpQrStUvWx and aws AKIAABCDEFGHIJKLMNOP',
      'Authorization: Bearer abc.def-ghi_123456',
      'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      'password: hunter2222 and api_key=abcd1234',
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----',
      'write to ada.lovelace@example.co.uk about the sky-blue task',
    ].join('\n');
    expect(redactSecretText(text)).toBe(
      [
        'openai [redacted:api-key], anthropic [redacted:api-key]',
        'tokenhub [redacted:api-key] and aws [redacted:api-key]',
        'Authorization: Bearer [redacted:bearer]',
        'jwt [redacted:jwt]',
        'password: [redacted:password] and api_key=[redacted:password]',
        '[redacted:private-key]',
        'write to [redacted:email] about the sky-blue task',
      ].join('\n'),
    );
  });
});

describe('redactSecrets', () => {
  it('masks secret fields (not dropping them) and secrets inside every string, at any depth', () => {
    const body = {
      model: 'm',
      api_key: 'x',
      headers: { a: 'b' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'key sk-abcdefghijklmnopqrstu' }] }],
    };
    expect(redactSecrets(body)).toEqual({
      model: 'm',
      api_key: '[redacted:field]',
      headers: '[redacted:field]',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'key [redacted:api-key]' }] }],
    });
  });

  it('cuts a long string first, and the partial word at the cut with it (half a secret is never kept)', () => {
    expect(redactSecrets('plain words then sk-abcdefghijklmnopqrstu', 26)).toBe('plain words then …');
    expect(cutAtWord('one two three', 9)).toBe('one two …');
  });
});
