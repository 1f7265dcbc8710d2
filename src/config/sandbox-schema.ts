import { z } from 'zod';

type LimitDefaults = { cpu_ms: number; memory_mb: number; output_bytes: number; storage_bytes: number; max_files: number };

const limitsWith = (defaults: LimitDefaults) =>
  z.strictObject({
    /** CPU time one code call may use, in milliseconds. */
    cpu_ms: z.number().int().min(10).max(600_000).default(defaults.cpu_ms),
    /** Memory one sandbox's code may use beyond the interpreter's own, in MiB. */
    memory_mb: z.number().int().min(8).max(4_096).default(defaults.memory_mb),
    /** stdout and stderr are each cut at this many bytes (so is the result's JSON). */
    output_bytes: z
      .number()
      .int()
      .min(1_024)
      .max(16 * 1024 * 1024)
      .default(defaults.output_bytes),
    /** All of one sandbox's files together, in bytes. */
    storage_bytes: z
      .number()
      .int()
      .min(1_024)
      .max(1024 * 1024 * 1024)
      .default(defaults.storage_bytes),
    /** Files one sandbox may hold. */
    max_files: z.number().int().min(1).max(100_000).default(defaults.max_files),
  });

/** Per-call and per-sandbox limits of sandboxes (docs/sandboxes.md); a request may lower them, never raise them past `max_limits`. */
export const sandboxLimitsSchema = limitsWith({
  cpu_ms: 5_000,
  memory_mb: 128,
  output_bytes: 64 * 1024,
  storage_bytes: 32 * 1024 * 1024,
  max_files: 1_000,
});
const sandboxMaxLimitsSchema = limitsWith({
  cpu_ms: 60_000,
  memory_mb: 512,
  output_bytes: 1024 * 1024,
  storage_bytes: 256 * 1024 * 1024,
  max_files: 10_000,
});

export const sandboxPricingSchema = z.strictObject({
  /** USD per CPU-second of sandbox code. */
  cpu_second_usd: z.number().nonnegative().max(1_000).default(0.00005),
  /** USD per GB (10^9 bytes) of sandbox files kept for an hour. */
  storage_gb_hour_usd: z.number().nonnegative().max(1_000).default(0.0001),
});

export const sandboxesSchema = z
  .strictObject({
    /** Where sandboxes run unless a tenant or request says otherwise: on this hub, or on E2B (needs `E2B_API_KEY`). */
    provider: z.enum(['local', 'e2b']).default('local'),
    /** Tenants (by id) whose sandboxes run on another provider than `provider` unless a request says otherwise. */
    tenant_providers: z.record(z.string().min(1), z.enum(['local', 'e2b'])).default({}),
    /** Live sandboxes one tenant may hold at once. */
    max_live_per_tenant: z.number().int().min(1).max(10_000).default(20),
    /** Idle sandboxes are reclaimed after this many seconds without a call, unless created with another `timeout_s`. */
    default_timeout_s: z.number().int().min(1).max(86_400).default(300),
    max_timeout_s: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(3_600),
    limits: sandboxLimitsSchema.prefault({}),
    max_limits: sandboxMaxLimitsSchema.prefault({}),
    pricing: sandboxPricingSchema.prefault({}),
    /** Whether a sandbox may be granted the network (then only through the upstream address policy). */
    allow_network: z.boolean().default(false),
    e2b: z
      .strictObject({
        /** The E2B API's domain (default e2b.app); a fake of it in tests. */
        domain: z.string().min(1).optional(),
        /** Override of the API address (`https://api.<domain>`). */
        api_url: z.url().optional(),
        /** Override of the address of the daemon inside every sandbox (one address, sandboxes told apart by header). */
        sandbox_url: z.url().optional(),
        /** The E2B template sandboxes start from. */
        template: z.string().min(1).default('base'),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    for (const name of ['cpu_ms', 'memory_mb', 'output_bytes', 'storage_bytes', 'max_files'] as const) {
      if (config.limits[name] > config.max_limits[name]) {
        ctx.addIssue({ code: 'custom', path: ['limits', name], message: `is above max_limits.${name} (${config.max_limits[name]})` });
      }
    }
    if (config.default_timeout_s > config.max_timeout_s) {
      ctx.addIssue({ code: 'custom', path: ['default_timeout_s'], message: `is above max_timeout_s (${config.max_timeout_s})` });
    }
  });

export type SandboxesConfig = z.infer<typeof sandboxesSchema>;
export type SandboxLimitsConfig = z.infer<typeof sandboxLimitsSchema>;
