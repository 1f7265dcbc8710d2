/** The OpenAI wire protocol: request schema, canonical conversions both ways, streams and error shape. */
export * from './chat.request.js';
export * from './chat.response.js';
export * from './chat.stream.js';
export * from './completions.js';
export * from './embeddings.js';
export * from './errors.js';
export * from './usage.js';
