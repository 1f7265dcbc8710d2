/**
 * The OpenAI Responses wire protocol: the request schema, its translation into the canonical chat
 * request (input items, function tools, `text.format`), the Response object built from a canonical
 * answer, the streaming encoder (canonical parts → `response.*` events with `sequence_number`),
 * usage mapping, and the refusal of features only a native upstream can serve.
 */
export * from './input-items.js';
export * from './items.js';
export * from './request.js';
export * from './request.to-canonical.js';
export * from './response.js';
export * from './stream.encoder.js';
export * from './tools.js';
export * from './unsupported.js';
export * from './usage.js';
