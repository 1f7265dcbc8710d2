import { describe, expect, it } from 'vitest';
import { REDACTED, SecretScrubber } from './secret-scrubber.js';

const KEY = 'sk-live-0123456789abcdef';

async function streamed(scrubber: SecretScrubber, pieces: string[]): Promise<{ text: string; chunks: string[] }> {
  async function* source(): AsyncGenerator<Uint8Array> {
    for (const piece of pieces) yield Buffer.from(piece);
  }
  const chunks: string[] = [];
  for await (const chunk of scrubber.stream(source())) chunks.push(Buffer.from(chunk).toString('utf8'));
  return { text: chunks.join(''), chunks };
}

describe('SecretScrubber', () => {
  it('replaces every occurrence of every secret, the longest first', () => {
    const scrubber = new SecretScrubber([KEY, `Bearer ${KEY}`, undefined]);
    expect(scrubber.text(`auth Bearer ${KEY} and ${KEY}x${KEY}`)).toBe(`auth ${REDACTED} and ${REDACTED}x${REDACTED}`);
  });

  it('leaves values too short to be credentials alone, and is inactive without secrets', () => {
    const scrubber = new SecretScrubber(['none', 'EMPTY', '']);
    expect(scrubber.active).toBe(false);
    expect(scrubber.text('none of it is EMPTY')).toBe('none of it is EMPTY');
  });

  it('catches a secret split across reads at every cut, and passes everything else on', async () => {
    const scrubber = new SecretScrubber([KEY, 'x-header-secret-value']);
    const text = `data: {"error":{"message":"bad key ${KEY}; header x-header-secret-value"}}\n\n`;
    for (let cut = 1; cut < text.length; cut++) {
      const { text: out } = await streamed(scrubber, [text.slice(0, cut), text.slice(cut)]);
      expect(out, `cut at ${cut}`).toBe(`data: {"error":{"message":"bad key ${REDACTED}; header ${REDACTED}"}}\n\n`);
    }
    const bytewise = await streamed(scrubber, [...text]);
    expect(bytewise.text).toBe(`data: {"error":{"message":"bad key ${REDACTED}; header ${REDACTED}"}}\n\n`);
  });

  it('holds back nothing after a complete SSE event, so streams are not delayed', async () => {
    const scrubber = new SecretScrubber([KEY]);
    const events = ['data: {"a":"s"}\n\n', 'data: {"b":"sk-"}\n\n'];
    expect((await streamed(scrubber, events)).chunks).toEqual(events);
  });

  it('gives back a held tail that turned out not to be a secret, at the next read or the end', async () => {
    const scrubber = new SecretScrubber([KEY]);
    expect((await streamed(scrubber, ['token sk-live', '-other'])).text).toBe('token sk-live-other');
    expect((await streamed(scrubber, ['ends in sk-live-01'])).text).toBe('ends in sk-live-01');
  });
});
