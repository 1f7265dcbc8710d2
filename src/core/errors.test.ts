import { describe, expect, it } from 'vitest';
import { HubError, toHubError } from './errors.js';

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
