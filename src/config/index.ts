/** Config: the YAML schema (zod), `${ENV}` interpolation, loading with precise errors. */
export * from './load.js';
export * from './provider-url.js';
export * from './sandbox-schema.js';
export * from './schema.js';
export * from './scripted-script.js';
