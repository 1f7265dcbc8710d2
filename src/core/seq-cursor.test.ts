import { describe, expect, it } from 'vitest';
import { isHubError } from './errors.js';
import { decodeSeqCursor, encodeSeqCursor } from './seq-cursor.js';

const cursorOf = (text: string): string => Buffer.from(text).toString('base64url');

describe('seq cursors', () => {
  it('round-trip every bigint a seq column holds', () => {
    for (const seq of [0n, 1n, 42n, 9_223_372_036_854_775_807n]) expect(decodeSeqCursor('seq', encodeSeqCursor('seq', seq))).toBe(seq);
  });

  it('refuse what the hub never issued with a 400 on cursor', () => {
    for (const cursor of [
      cursorOf('seq:9223372036854775808'),
      cursorOf('seq:99999999999999999999999'),
      cursorOf('seq:-1'),
      cursorOf('seq:'),
      cursorOf('audit:1'),
      cursorOf('seq:1\u0000'),
      'not base64 at all!',
    ]) {
      let caught: unknown;
      try {
        decodeSeqCursor('seq', cursor);
      } catch (error) {
        caught = error;
      }
      expect(isHubError(caught) && caught.status === 400 && caught.details.param === 'cursor', cursor).toBe(true);
    }
  });
});
