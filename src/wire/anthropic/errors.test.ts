import { describe, expect, it } from 'vitest';
import { HubError } from '../../core/index.js';
import { SseParser } from '../sse.js';
import { anthropicErrorBody, anthropicErrorEvent, anthropicErrorSse } from './errors.js';

describe('Anthropic error shape', () => {
  it('renders the catalog type and the message', () => {
    const error = new HubError('UPSTREAM_UNAVAILABLE', 'upstream is overloaded');
    expect(anthropicErrorBody(error)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'upstream is overloaded' } });
    expect(anthropicErrorBody(new HubError('BUDGET_EXCEEDED', 'budget spent'), 'req_1')).toEqual({
      type: 'error',
      error: { type: 'billing_error', message: 'budget spent' },
      request_id: 'req_1',
    });
  });

  it('frames the stream error event', () => {
    const error = new HubError('UPSTREAM_ERROR', 'boom');
    expect(anthropicErrorEvent(error)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'boom' } } });
    const [event] = new SseParser().push(anthropicErrorSse(error));
    expect(event).toEqual({ event: 'error', data: JSON.stringify(anthropicErrorBody(error)) });
  });
});
