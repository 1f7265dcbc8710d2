import { z } from 'zod';
import { MAX_PRICE_USD_PER_MTOK, PRICE_DECIMALS, usdAmountProblem } from '../core/index.js';
import { normalizeProviderBaseUrl } from './provider-url.js';
import { sandboxesSchema } from './sandbox-schema.js';
import { scriptSchema } from './scripted-script.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'must be letters, digits and . _ : / -');
// Bounded here, for the config file and the admin API alike: a price the money code cannot hold is never stored.
const usdPerMtok = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const problem = usdAmountProblem(value, { decimals: PRICE_DECIMALS, max: MAX_PRICE_USD_PER_MTOK });
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const PROVIDER_TYPES = ['openai', 'anthropic', 'local', 'scripted'] as const;

export const localModelSchema = z.strictObject({
  id,
  path: z.string().min(1),
  context: z.number().int().positive().optional(),
  parallel: z.number().int().positive().max(64).default(1),
  threads: z.number().int().positive().optional(),
  max_queue: z.number().int().nonnegative().default(64),
  gpu_layers: z.number().int().nonnegative().optional(),
  load: z.enum(['lazy', 'start']).default('lazy'),
  idle_unload_ms: z.number().int().nonnegative().optional(),
  /**
   * Overrides the GGUF's own chat template: a node-llama-cpp wrapper name (`chatml`, `llama3Chat`,
   * `llama2Chat`, `gemma`, `mistral`, `general`…) or a Jinja template text. Needed to chat with a
   * model whose file has no template (base models answer /v1/completions only otherwise).
   */
  chat_template: z.string().min(1).optional(),
});

export const providerSchema = z.strictObject({
  id,
  type: z.enum(PROVIDER_TYPES),
  preset: z.string().optional(),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Keep-alive connections per upstream origin. */
  max_connections: z.number().int().positive().max(4096).default(256),
  /** Whether the upstream takes `/v1/responses` natively (OpenAI itself does). */
  responses_api: z.boolean().optional(),
  models: z.array(localModelSchema).optional(),
  /** `type: scripted` only: the replies it gives, in order (see scripted-script.ts). */
  script: scriptSchema.optional(),
});

export const pricingSchema = z.strictObject({
  input_per_mtok: usdPerMtok,
  output_per_mtok: usdPerMtok,
  cached_input_per_mtok: usdPerMtok.optional(),
  cache_write_per_mtok: usdPerMtok.optional(),
});

export const targetSchema = z.strictObject({
  provider: id,
  model: z.string().min(1),
  weight: z.number().nonnegative().default(1),
});

export const modelSchema = z.strictObject({
  name: z.string().min(1),
  targets: z.array(targetSchema).min(1),
  fallbacks: z.array(z.string().min(1)).default([]),
  pricing: pricingSchema.optional(),
  /** Output cap used for worst-case budget reservations when a request sets no max_tokens. */
  max_output_tokens: z.number().int().positive().optional(),
  context_window: z.number().int().positive().optional(),
  kind: z.enum(['chat', 'embedding']).default('chat'),
});

export const routingSchema = z.strictObject({
  retries: z.number().int().min(0).max(10).default(2),
  timeout_ms: z.number().int().positive().default(60_000),
  first_byte_timeout_ms: z.number().int().positive().default(20_000),
  backoff_ms: z.number().int().nonnegative().default(100),
  max_backoff_ms: z.number().int().nonnegative().default(5_000),
  /** Honour an upstream `retry-after` up to this long; longer waits go to the next target. */
  max_retry_after_ms: z.number().int().nonnegative().default(10_000),
  breaker: z
    .strictObject({
      failure_threshold: z.number().int().positive().default(5),
      cooldown_ms: z.number().int().positive().default(30_000),
    })
    .prefault({}),
});

export const serverSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  body_limit_bytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024),
  /** Time a client may take to send its headers and body (slowloris defence). */
  request_timeout_ms: z.number().int().positive().default(30_000),
  drain_timeout_ms: z.number().int().nonnegative().default(30_000),
  /** One `info` log line per request (`TOKENHUB_ACCESS_LOG=false` turns it off too). */
  access_log: z.boolean().default(true),
});

/**
 * Which base URLs providers created through the admin API may use (the config file is trusted).
 * Link-local and cloud metadata addresses are refused unless `allow` names them.
 */
export const upstreamUrlPolicySchema = z.strictObject({
  /** Hosts (`api.example.com`, `*.example.com`) or CIDRs (`10.1.0.0/16`); when non-empty, only these. */
  allow: z.array(z.string().min(1)).default([]),
  allow_private: z.boolean().default(true),
  allow_loopback: z.boolean().default(true),
  allow_link_local: z.boolean().default(false),
  require_https: z.boolean().default(false),
});

export const securitySchema = z.strictObject({ upstream_urls: upstreamUrlPolicySchema.prefault({}) });

/**
 * What an acknowledged usage record survives (docs/economy.md): `process` (default) — the journal line was
 * written to the kernel before the response's last byte, fdatasync'ed within `fsync_interval_ms`, so it
 * survives the hub's crash or SIGKILL; `machine` — fdatasync'ed before the last byte, so it survives power loss too.
 */
export const economySchema = z.strictObject({
  durability: z.enum(['process', 'machine']).default('process'),
  fsync_interval_ms: z.number().int().min(1).max(1_000).default(5),
});

/**
 * OpenID Connect single sign-on for the console (docs/console.md): people sign in at the issuer and are
 * matched to a TokenHub user by verified email; `provision` creates unknown ones in a tenant with a role.
 */
export const oidcSchema = z.strictObject({
  issuer: z.url(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1).optional(),
  /**
   * Where the issuer sends people back: this hub's `/v1/auth/sso/callback` as browsers reach it (register it
   * at the issuer). Omitted: built from the sign-in request's own address.
   */
  redirect_uri: z.url().optional(),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  provision: z.strictObject({ tenant_id: z.string().min(1), role: z.enum(['owner', 'developer', 'operator', 'viewer']) }).optional(),
  /** Plain-http issuers, for local development and tests only. */
  allow_http: z.boolean().default(false),
});

export const authSchema = z.strictObject({ oidc: oidcSchema.optional() });

/** Base URLs in the form the provider's adapter expects (see provider-url.ts), once, at load time. */
const withNormalizedBaseUrl = (provider: z.infer<typeof providerSchema>) =>
  provider.base_url === undefined ? provider : { ...provider, base_url: normalizeProviderBaseUrl(provider.type, provider.base_url) };

export const configSchema = z
  .strictObject({
    server: serverSchema.prefault({}),
    providers: z.array(providerSchema.transform(withNormalizedBaseUrl)).default([]),
    models: z.array(modelSchema).default([]),
    routing: routingSchema.prefault({}),
    responses: z.strictObject({ retention_days: z.number().int().positive().max(3650).default(30) }).prefault({}),
    security: securitySchema.prefault({}),
    economy: economySchema.prefault({}),
    auth: authSchema.prefault({}),
    sandboxes: sandboxesSchema.prefault({}),
    /** The shipped apps' own settings. */
    apps: z
      .strictObject({
        /** site-builder: the Chromium that runs axe-core on built sites; `false` turns the check off (reported as not run). */
        site_builder: z
          .strictObject({ chromium: z.union([z.string().min(1), z.literal(false)]).default('/usr/bin/chromium') })
          .prefault({}),
      })
      .prefault({}),
    /** Agents offered to every tenant, read-only (checked against the agent definition schema at start). */
    agents: z.array(z.record(z.string(), z.unknown())).default([]),
  })
  .superRefine((config, ctx) => {
    const providerIds = new Set<string>();
    config.providers.forEach((provider, index) => {
      if (providerIds.has(provider.id)) {
        ctx.addIssue({ code: 'custom', path: ['providers', index, 'id'], message: `duplicate provider id "${provider.id}"` });
      }
      providerIds.add(provider.id);
      const inProcess = provider.type === 'local' || provider.type === 'scripted';
      if (!inProcess && !provider.base_url && !provider.preset) {
        ctx.addIssue({ code: 'custom', path: ['providers', index, 'base_url'], message: 'base_url or preset is required' });
      }
      if (provider.type === 'local' && !provider.models?.length) {
        ctx.addIssue({ code: 'custom', path: ['providers', index, 'models'], message: 'a local provider needs at least one model' });
      }
      if (provider.script !== undefined && provider.type !== 'scripted') {
        ctx.addIssue({ code: 'custom', path: ['providers', index, 'script'], message: 'only a scripted provider has a script' });
      }
    });
    const modelNames = new Set<string>();
    config.models.forEach((model, index) => {
      if (modelNames.has(model.name)) {
        ctx.addIssue({ code: 'custom', path: ['models', index, 'name'], message: `duplicate model name "${model.name}"` });
      }
      modelNames.add(model.name);
      model.targets.forEach((target, targetIndex) => {
        if (!providerIds.has(target.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', index, 'targets', targetIndex, 'provider'],
            message: `unknown provider "${target.provider}"`,
          });
        }
      });
    });
    config.models.forEach((model, index) => {
      model.fallbacks.forEach((fallback, fallbackIndex) => {
        if (!modelNames.has(fallback)) {
          ctx.addIssue({ code: 'custom', path: ['models', index, 'fallbacks', fallbackIndex], message: `unknown model "${fallback}"` });
        } else if (fallback === model.name) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', index, 'fallbacks', fallbackIndex],
            message: 'a model cannot fall back to itself',
          });
        }
      });
    });
  });

export type HubConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type PricingConfig = z.infer<typeof pricingSchema>;
export type RoutingConfig = z.infer<typeof routingSchema>;
export type LocalModelConfig = z.infer<typeof localModelSchema>;
export type ServerConfig = z.infer<typeof serverSchema>;
export type UpstreamUrlPolicyConfig = z.infer<typeof upstreamUrlPolicySchema>;
