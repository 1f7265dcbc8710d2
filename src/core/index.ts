/** Canonical, pure building blocks shared by every layer: types, errors, ids, money, time. */
export * from './chat.js';
export * from './clock.js';
export * from './completion.js';
export * from './errors.js';
export * from './ids.js';
export * from './latency-histogram.js';
export * from './map-pooled.js';
export * from './money.js';
export * from './parse-input.js';
export * from './redact-secrets.js';
export * from './response-body.js';
export * from './secret-box.js';
export * from './seq-cursor.js';
export * from './storable-text.js';
export * from './stream.js';
export * from './usage-bounds.js';
export * from './without-secrets.js';
