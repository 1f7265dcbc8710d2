import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HubError, toHubError } from '../../core/index.js';
import { anthropicErrorBody } from '../../wire/anthropic/index.js';
import { openaiErrorBody } from '../../wire/openai/index.js';
import { type ErrorProtocol, protocolOf } from './protocol.js';

/** Fastify's own errors (body parsing, limits, routing) mapped onto the catalog. */
export function fromFastifyError(error: FastifyError | Error): HubError {
  if (error instanceof HubError) return error;
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HubError('PAYLOAD_TOO_LARGE', 'Request body is larger than the configured limit.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HubError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HubError('INVALID_JSON', 'Request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HubError('INVALID_REQUEST', 'Content-Length does not match the body.');
    default:
      break;
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return new HubError('INVALID_REQUEST', fastifyError.message, { status: fastifyError.statusCode });
  }
  return toHubError(error);
}

export function errorBody(error: HubError, protocol: ErrorProtocol): unknown {
  return protocol === 'anthropic' ? anthropicErrorBody(error) : openaiErrorBody(error);
}

/** The one funnel from errors to responses. */
export function sendError(request: FastifyRequest, reply: FastifyReply, thrown: unknown): FastifyReply {
  const error = fromFastifyError(thrown as Error);
  if (error.status >= 500) request.log.error({ err: error.details.cause ?? error, code: error.code }, error.message);
  if (error.details.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.details.retryAfterSeconds))));
  }
  return reply
    .code(error.status)
    .type('application/json')
    .send(JSON.stringify(errorBody(error, protocolOf(request))));
}
