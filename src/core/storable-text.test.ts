import { describe, expect, it } from 'vitest';
import { isStorableText } from './storable-text.js';

describe('isStorableText', () => {
  it('refuses NUL and unpaired surrogates, and accepts any other text', () => {
    for (const text of ['\u0000', 'a\u0000', '\ud800', 'a\udfffb', '\udbff', '\udc00\ud800'])
      expect(isStorableText(text), JSON.stringify(text)).toBe(false);
    for (const text of ['', 'plain', '😀', '\udbff\udfff', '\u0001\u001f\uffff', 'e\u0301', '\\u0000'])
      expect(isStorableText(text), JSON.stringify(text)).toBe(true);
  });
});
