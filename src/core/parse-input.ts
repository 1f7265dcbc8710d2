import type { z } from 'zod';
import { HubError } from './errors.js';

/** Parses a request's body, query or params with zod; the first issue becomes a 400 naming the field (`details.param`). */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  throw new HubError('INVALID_REQUEST', param ? `Invalid ${param}: ${issue?.message}` : `Invalid request: ${issue?.message}`, {
    ...(param ? { param } : {}),
  });
}
