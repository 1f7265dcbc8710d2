import { HubError } from '../core/index.js';
import { type SseEvent, SseParser } from '../wire/sse.js';

/**
 * Yields the SSE events of an upstream body, the events of one read together: a stream's consumer then
 * takes one async step per read (an upstream writes several events at a time), not one per event.
 */
export async function* sseEventBatches(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent[]> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    const events = parser.push(decoder.decode(chunk, { stream: true }));
    if (events.length > 0) yield events;
  }
  const rest = [...parser.push(decoder.decode()), ...parser.flush()];
  if (rest.length > 0) yield rest;
}

/**
 * Waits for the first item of a stream so that a silent upstream is caught by the first-byte timeout and
 * the router can still retry; then hands back an iterable over all items, the first included.
 */
export async function primeStream<T>(source: AsyncIterator<T>, providerId: string): Promise<AsyncIterable<T>> {
  const first = await source.next();
  if (first.done) throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} closed the stream before sending anything`);
  let yieldedFirst = false;
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      return {
        // Not async: the items after the first come straight from the source, with no promise of our own each.
        next: () => {
          if (yieldedFirst) return source.next();
          yieldedFirst = true;
          return Promise.resolve(first);
        },
        return: async (value?: unknown) => {
          await source.return?.(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** Parses one SSE data payload, turning malformed JSON into an upstream error. */
export function parseEventJson<T>(providerId: string, data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} sent malformed JSON in its stream`);
  }
}
