/** The SDK's SSE parser against the HTML standard's rules, fed in every way a network may cut the bytes. */
import { describe, expect, it } from 'vitest';
import { type ServerSentEvent, SseDecoder } from '../../src/sdk/index.js';

/** Feeds `chunks` to a fresh decoder; answers the events and the decoder. */
function decode(...chunks: string[]): { events: ServerSentEvent[]; decoder: SseDecoder } {
  const decoder = new SseDecoder();
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  return { events, decoder };
}

const STREAM =
  'id: 1\nevent: run.queued\ndata: {"seq":1}\n\n: a comment\n\nid: 2\nevent: model.completed\ndata: line one\ndata: line two\n\n';

describe('SseDecoder', () => {
  it('joins data lines with newlines and keeps each event id and name', () => {
    expect(decode(STREAM).events).toEqual([
      { event: 'run.queued', data: '{"seq":1}', id: '1' },
      { event: 'model.completed', data: 'line one\nline two', id: '2' },
    ]);
  });

  it('gives the same events however the stream is cut, one character at a time included', () => {
    const whole = decode(STREAM).events;
    expect(decode(...STREAM.split('')).events).toEqual(whole);
    for (let cut = 1; cut < STREAM.length; cut++) {
      expect(decode(STREAM.slice(0, cut), STREAM.slice(cut)).events).toEqual(whole);
    }
  });

  it('ends lines at CRLF, LF or CR, a CRLF split across chunks counting once', () => {
    const expected = [
      { event: 'message', data: 'a', id: '' },
      { event: 'message', data: 'b', id: '' },
    ];
    expect(decode('data: a\r\n\r\ndata: b\r\n\r\n').events).toEqual(expected);
    expect(decode('data: a\r\rdata: b\r\r').events).toEqual(expected);
    expect(decode('data: a\r', '\n\r', '\ndata: b\r\n', '\r\n').events).toEqual(expected);
  });

  it('strips one leading space only, a leading BOM, and takes a field without a colon as empty', () => {
    expect(decode('\uFEFFdata:  two spaces\n\n').events).toEqual([{ event: 'message', data: ' two spaces', id: '' }]);
    expect(decode('data\n\n').events).toEqual([{ event: 'message', data: '', id: '' }]);
    expect(decode('data:x\n\n').events[0]?.data).toBe('x');
  });

  it('keeps the last id across events, ignores an id holding NUL, and sets it even for an event without data', () => {
    const { events, decoder } = decode('id: 7\ndata: a\n\ndata: b\n\nid: 8\n\nid: bad\u0000\ndata: c\n\n');
    expect(events.map((event) => [event.data, event.id])).toEqual([
      ['a', '7'],
      ['b', '7'],
      ['c', '8'],
    ]);
    expect(decoder.lastEventId).toBe('8');
  });

  it('reads retry when it is digits only, and ignores unknown fields and comments', () => {
    const { events, decoder } = decode('retry: 1500\nretry: soon\nfoo: bar\n: note\ndata: x\n\n');
    expect(decoder.retryMs).toBe(1500);
    expect(events).toEqual([{ event: 'message', data: 'x', id: '' }]);
  });

  it('never dispatches an event the stream cut off, and a reset drops it while keeping the last id', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('id: 3\ndata: whole\n\nid: 4\ndata: cut off')).toEqual([{ event: 'message', data: 'whole', id: '3' }]);
    decoder.reset();
    expect(decoder.lastEventId).toBe('3');
    expect(decoder.push('\n\ndata: next\n\n')).toEqual([{ event: 'message', data: 'next', id: '3' }]);
  });
});
