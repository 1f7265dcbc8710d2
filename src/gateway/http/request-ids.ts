import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayCall } from '../pipeline/index.js';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The client's own id for a request (`x-client-request-id`, as the OpenAI SDKs send it, or
 * `x-request-id`), for correlation only: it is echoed back and kept on the ledger row, but the hub
 * mints the request id that keys money (ledger row, reservation, concurrency slot) itself, so a
 * repeated or guessed client id can never merge, hide or leak another request's usage.
 */
export function clientRequestIdOf(headers: IncomingHttpHeaders): string | undefined {
  for (const name of ['x-client-request-id', 'x-request-id']) {
    const given = headers[name];
    if (typeof given === 'string' && CLIENT_REQUEST_ID.test(given)) return given;
  }
  return undefined;
}

/** The id headers of a response: the hub's request id, and the client's when it sent one. */
export function requestIdHeaders(call: Pick<GatewayCall, 'requestId' | 'clientRequestId'>): Record<string, string> {
  return call.clientRequestId
    ? { 'x-request-id': call.requestId, 'x-client-request-id': call.clientRequestId }
    : { 'x-request-id': call.requestId };
}
