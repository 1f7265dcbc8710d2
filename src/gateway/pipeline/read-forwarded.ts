import { HubError } from '../../core/index.js';
import type { ForwardResponse } from '../../providers/index.js';

export interface ForwardedJson<T> {
  /** The upstream's bytes, sent on to the client unchanged. */
  text: string;
  body: T;
}

/**
 * Reads a forwarded (pass-through) body whole and parses it as JSON, inside the routing attempt, so a
 * broken or non-JSON body is an upstream failure the router retries like any other.
 */
export async function readForwardedJson<T>(providerId: string, response: ForwardResponse, signal: AbortSignal): Promise<ForwardedJson<T>> {
  if (response.text !== undefined) return parseForwarded(providerId, response.text);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
  } catch (error) {
    throw signal.reason instanceof HubError
      ? signal.reason
      : error instanceof HubError
        ? error
        : new HubError('UPSTREAM_ERROR', `upstream ${providerId} body broke: ${(error as Error).message}`);
  }
  return parseForwarded(providerId, Buffer.concat(chunks).toString('utf8'));
}

function parseForwarded<T>(providerId: string, text: string): ForwardedJson<T> {
  try {
    return { text, body: JSON.parse(text) as T };
  } catch {
    throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} sent a body that is not JSON`);
  }
}
