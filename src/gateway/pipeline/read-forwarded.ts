import { HubError } from '../../core/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import type { GatewayCall } from './call.js';

/**
 * Reads a forwarded (pass-through) body whole and parses it as JSON. A broken or non-JSON body fails
 * the attempt; the caller settles on success.
 */
export async function readForwardedJson<T>(call: GatewayCall, routed: Routed<ForwardResponse>): Promise<{ text: string; body: T }> {
  const provider = routed.attempt.provider.id;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of call.timing.waitOnIterable(routed.value.body)) chunks.push(Buffer.from(chunk));
  } catch (error) {
    routed.finish('failure');
    throw routed.signal.reason instanceof HubError
      ? routed.signal.reason
      : new HubError('UPSTREAM_ERROR', `upstream ${provider} body broke: ${(error as Error).message}`);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { text, body: JSON.parse(text) as T };
  } catch {
    routed.finish('failure');
    throw new HubError('UPSTREAM_ERROR', `upstream ${provider} sent a body that is not JSON`);
  }
}
