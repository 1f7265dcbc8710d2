import type { HubError } from '../../core/index.js';
import { sseEvent } from '../sse.js';

/** Anthropic's error body, for HTTP answers and the data of a stream's `error` event alike. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id?: string;
}

export function anthropicErrorBody(error: HubError, requestId?: string): AnthropicErrorBody {
  const body: AnthropicErrorBody = { type: 'error', error: { type: error.spec.anthropicType, message: error.message } };
  if (requestId !== undefined) body.request_id = requestId;
  return body;
}

/** The `error` event that ends a stream which already answered 200. */
export function anthropicErrorEvent(error: HubError): { event: 'error'; data: AnthropicErrorBody } {
  return { event: 'error', data: anthropicErrorBody(error) };
}

/** The `error` event framed as SSE text. */
export function anthropicErrorSse(error: HubError): string {
  return sseEvent('error', JSON.stringify(anthropicErrorBody(error)));
}
