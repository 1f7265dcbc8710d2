import type { z } from 'zod';
import { HubError } from '../../core/index.js';

/** Validates a parsed body; the first problem becomes a 400 naming the field. */
export function validateBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HubError('INVALID_REQUEST', 'Request body must be a JSON object.');
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') ?? '';
  const message = issue ? `Invalid value for '${param || 'body'}': ${issue.message}` : 'Invalid request body.';
  throw new HubError('INVALID_REQUEST', message, param ? { param } : {});
}
