import type { FastifyRequest } from 'fastify';

/** The error shape a route answers in. Admin and health routes use the OpenAI shape. */
export type ErrorProtocol = 'openai' | 'anthropic';

declare module 'fastify' {
  interface FastifyContextConfig {
    protocol?: ErrorProtocol;
  }
}

export function protocolOf(request: FastifyRequest): ErrorProtocol {
  const configured = request.routeOptions.config?.protocol;
  if (configured) return configured;
  // Unmatched routes (404) under the Anthropic path answer in Anthropic's shape.
  return request.url.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}
