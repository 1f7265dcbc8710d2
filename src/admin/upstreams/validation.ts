import { z } from 'zod';
import { modelSchema, pricingSchema, targetSchema } from '../../config/index.js';
import { storableText } from '../validation.js';

// Ids travel in URL paths (`/admin/v1/providers/:id`), so no slashes; model names may have them (`qwen/qwen-2.5`).
const providerId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1–64 letters, digits and . _ : - (starting with a letter or digit)');
const modelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/, 'must be 1–200 letters, digits and . _ : / @ + - (starting with a letter or digit)');
const baseUrl = z.url({ protocol: /^https?$/ }).max(2048);
const apiKey = z
  .string()
  .min(1)
  .max(8192)
  .regex(/^[^\r\n\0]+$/, 'must not contain line breaks or NUL');
// Header names and values are checked here: undici throws on invalid ones, which would surface mid-request.
const FORBIDDEN_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'expect']);
const headerName = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, 'must be an HTTP header name')
  .refine((name) => !FORBIDDEN_HEADERS.has(name.toLowerCase()), 'is set by the hub itself');
const headers = z
  .record(
    headerName,
    z
      .string()
      .max(8192)
      .regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL'),
  )
  .refine((record) => Object.keys(record).length <= 32, 'at most 32 headers');
const maxConnections = z.number().int().positive().max(4096);
const preset = z.string().min(1).max(64);

export const createProviderBody = z
  .strictObject({
    id: providerId,
    // Local providers load files from the hub's disk: they belong in the config file, not in an API call.
    type: z.enum(['openai', 'anthropic'], 'must be "openai" or "anthropic" (local models are configured in the config file)'),
    preset: preset.optional(),
    base_url: baseUrl.optional(),
    api_key: apiKey.optional(),
    headers: headers.optional(),
    max_connections: maxConnections.default(256),
    responses_api: z.boolean().optional(),
  })
  .refine((body) => body.type !== 'openai' || body.base_url !== undefined || body.preset !== undefined, {
    message: 'base_url or preset is required',
    path: ['base_url'],
  });

export const updateProviderBody = z.strictObject({
  preset: preset.nullable().optional(),
  base_url: baseUrl.nullable().optional(),
  api_key: apiKey.nullable().optional(),
  headers: headers.nullable().optional(),
  max_connections: maxConnections.optional(),
  responses_api: z.boolean().nullable().optional(),
});

const targets = z
  .array(targetSchema.extend({ provider: providerId, model: storableText.min(1).max(200) }))
  .min(1)
  .max(64);
const fallbacks = z.array(modelName).max(16);

export const createModelBody = modelSchema.extend({
  name: modelName,
  targets,
  fallbacks: fallbacks.default([]),
});

export const updateModelBody = z.strictObject({
  kind: z.enum(['chat', 'embedding']).optional(),
  targets: targets.optional(),
  fallbacks: fallbacks.optional(),
  pricing: pricingSchema.nullable().optional(),
  max_output_tokens: z.number().int().positive().nullable().optional(),
  context_window: z.number().int().positive().nullable().optional(),
});

export const providerParams = z.object({ id: providerId });
export const modelParams = z.object({ name: modelName });

export type CreateProviderBody = z.infer<typeof createProviderBody>;
export type UpdateProviderBody = z.infer<typeof updateProviderBody>;
export type CreateModelBody = z.infer<typeof createModelBody>;
export type UpdateModelBody = z.infer<typeof updateModelBody>;

const testModel = storableText.min(1).max(200);
const testTimeout = z.number().int().min(100).max(60_000).default(10_000);

/** `POST /admin/v1/providers/:id/test`. */
export const providerTestBody = z.strictObject({ model: testModel.optional(), timeout_ms: testTimeout }).prefault({});

/** `POST /admin/v1/providers/test`: a provider as it would be created (no id), and the model to ask. */
export const providerDraftTestBody = z
  .strictObject({
    type: createProviderBody.shape.type,
    preset: preset.optional(),
    base_url: baseUrl.optional(),
    api_key: apiKey.optional(),
    headers: headers.optional(),
    model: testModel,
    timeout_ms: testTimeout,
  })
  .refine((body) => body.type !== 'openai' || body.base_url !== undefined || body.preset !== undefined, {
    message: 'base_url or preset is required',
    path: ['base_url'],
  });

export type ProviderTestBody = z.infer<typeof providerTestBody>;
export type ProviderDraftTestBody = z.infer<typeof providerDraftTestBody>;
