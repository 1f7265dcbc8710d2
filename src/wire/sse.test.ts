import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

const parseAll = (pieces: string[]) => {
  const parser = new SseParser();
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.flush()];
};

describe('SseParser', () => {
  it('splits events on LF, CRLF and lone CR line ends, however the text is cut', () => {
    const text = 'data: a\n\ndata: b\r\n\r\nevent: e\rdata: c\r\rdata: d\ndata: e\n\n: comment\n\n';
    const expected = [{ data: 'a' }, { data: 'b' }, { event: 'e', data: 'c' }, { data: 'd\ne' }];
    expect(parseAll([text])).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++) expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    expect(parseAll(text.split(''))).toEqual(expected);
  });

  it('parses a push of many events in one go', () => {
    const events = Array.from({ length: 2_000 }, (_, index) => `data: {"i":${index}}\n\n`).join('');
    expect(parseAll([events])).toHaveLength(2_000);
  });
});
