/**
 * The response shapes of the providers' health and connection test (`contract.ts`) as zod schemas, for
 * the OpenAPI document only; the type checks at the end keep them and the contract types the same.
 */
import { z } from 'zod';
import type * as Api from '../contract.js';

const time = z.string().meta({ description: 'ISO 8601 UTC time' });
const breaker = z
  .enum(['closed', 'open', 'half_open'])
  .meta({ description: '`open`: no request goes to the target until its cool-down ends; `half_open`: one trial is let through.' });

export const targetHealthSchema = z
  .object({
    target: z.string().meta({ description: '`provider/upstream model`, the breaker key.' }),
    upstream_model: z.string(),
    models: z.array(z.string()).meta({ description: 'The routed model names that send to this target.' }),
    breaker,
    since: time.nullable().meta({ description: 'When the breaker entered its state; null when no request has tried the target yet.' }),
    consecutive_failures: z.number().int(),
    recent_attempts: z.number().int().meta({ description: 'Over the latest (up to 100) attempts on this replica.' }),
    recent_failures: z.number().int(),
    last_error: z.string().nullable(),
    last_failure_at: time.nullable(),
  })
  .meta({ id: 'TargetHealth' });

export const providerHealthSchema = z
  .object({
    object: z.literal('provider_health'),
    provider: z.string(),
    status: z.enum(['ready', 'unavailable']),
    problem: z.string().nullable(),
    breaker: breaker.meta({ description: "The worst of its targets' breakers (`closed` when it has none)." }),
    targets: z.array(targetHealthSchema),
  })
  .meta({ id: 'ProviderHealth' });

export const providerTestResultSchema = z
  .object({
    object: z.literal('provider_test'),
    provider: z.string().nullable().meta({ description: 'Null for a draft.' }),
    model: z.string(),
    ok: z.boolean(),
    latency_ms: z.number().int(),
    status: z
      .number()
      .int()
      .nullable()
      .meta({ description: "The upstream's HTTP status when it answered (200 when ok); null when unreachable or timed out." }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .meta({ id: 'ProviderTestResult' });

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const contractChecks: [
  Same<z.output<typeof targetHealthSchema>, Api.TargetHealth>,
  Same<z.output<typeof providerHealthSchema>, Api.ProviderHealth>,
  Same<z.output<typeof providerTestResultSchema>, Api.ProviderTestResult>,
] = [true, true, true];
void contractChecks;
