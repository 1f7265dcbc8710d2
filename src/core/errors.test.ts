import { describe, expect, it } from 'vitest';
import { boundedMessage, HubError, MAX_ERROR_MESSAGE_LENGTH, toHubError } from './errors.js';

describe('toHubError', () => {
  it('keeps HubErrors and hides unknown errors behind INTERNAL', () => {
    const known = new HubError('NOT_FOUND', 'nope');
    expect(toHubError(known)).toBe(known);
    const hidden = toHubError(new Error('secret detail at /srv/app.js:12'));
    expect(hidden.code).toBe('INTERNAL');
    expect(hidden.message).toBe('Internal error');
  });

  it('turns an unreachable database into a retryable 503', () => {
    for (const cause of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
    ]) {
      const error = toHubError(cause);
      expect(error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(error.status).toBe(503);
      expect(error.details.retryAfterSeconds).toBe(1);
    }
  });
});

describe('boundedMessage', () => {
  it('keeps short messages and cuts long ones in the middle, keeping start and end', () => {
    expect(boundedMessage('short')).toBe('short');
    const exact = 'x'.repeat(MAX_ERROR_MESSAGE_LENGTH);
    expect(boundedMessage(exact)).toBe(exact);
    const message = `The model \`${'m'.repeat(500_000)}\` does not exist or you do not have access to it.`;
    const bounded = new HubError('MODEL_NOT_FOUND', message).message;
    expect(bounded.length).toBe(MAX_ERROR_MESSAGE_LENGTH);
    expect(bounded.startsWith('The model `mmm')).toBe(true);
    expect(bounded.endsWith('mmm` does not exist or you do not have access to it.')).toBe(true);
    expect(bounded).toContain('m…m');
  });

  it('never splits a surrogate pair', () => {
    for (const shift of [0, 1]) {
      const bounded = boundedMessage('a'.repeat(shift) + '😀'.repeat(MAX_ERROR_MESSAGE_LENGTH));
      expect(bounded.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
      expect(/\p{Cs}/u.test(bounded)).toBe(false);
    }
  });
});
