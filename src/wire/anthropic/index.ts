/**
 * The Anthropic Messages wire protocol, as clients speak it to TokenHub and as TokenHub speaks it to
 * Anthropic upstreams: the request schema and its canonical conversions both ways, response and stream
 * conversions (an event decoder for upstream streams, an event encoder for client streams), usage
 * mapping (Anthropic's `input_tokens` excludes cache reads and writes; canonical `inputTokens` includes
 * them) and the error shape.
 */
export * from './errors.js';
export * from './messages.events.js';
export * from './messages.request.js';
export * from './messages.response.js';
export * from './messages.stream.js';
export * from './messages.upstream-request.js';
export * from './tool-arguments.js';
export * from './usage.js';
export * from './versions.js';
