import { HubError } from './errors.js';

/** The largest value of a PostgreSQL `bigint` (int8), the type of every `seq` column. */
const MAX_INT8 = 9_223_372_036_854_775_807n;

/** An opaque page cursor naming a row's `seq`: `<prefix>:<seq>`, base64url-encoded. */
export function encodeSeqCursor(prefix: string, seq: bigint): string {
  return Buffer.from(`${prefix}:${seq}`).toString('base64url');
}

/**
 * The `seq` a cursor names. Anything but one this hub could have issued (other text, a number past
 * int8, which the database would refuse mid-query) is a 400 on `cursor`.
 */
export function decodeSeqCursor(prefix: string, cursor: string): bigint {
  const match = /^([a-z]+):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const seq = match?.[1] === prefix && match[2] ? BigInt(match[2]) : undefined;
  if (seq === undefined || seq > MAX_INT8) throw new HubError('INVALID_REQUEST', 'Invalid cursor.', { param: 'cursor' });
  return seq;
}
