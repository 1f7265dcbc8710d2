import { HubError } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import {
  type AnthropicMessage,
  AnthropicEventDecoder,
  type AnthropicStreamEvent,
  anthropicErrorSse,
  anthropicMessageToCanonical,
} from '../../wire/anthropic/index.js';
import { SseParser, sseEvent } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type GatewayCall, OutputCollector, readForwardedJson, settlementBase } from '../pipeline/index.js';

/**
 * Same-protocol fast path for Anthropic clients on Anthropic upstreams: events are relayed as they arrive
 * and decoded on the side for usage (message_start / message_delta) and, if the stream is cut, the text.
 */
export async function relayAnthropicStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  writer: SseWriter,
): Promise<void> {
  const parser = new SseParser();
  const textDecoder = new TextDecoder();
  const decoder = new AnthropicEventDecoder({ source: routed.attempt.provider.id });
  const collector = new OutputCollector();
  const ttfbMs = call.timing.elapsedMs();
  let failure: HubError | undefined;
  let relayedError = false;
  try {
    for await (const bytes of call.timing.waitOnIterable(routed.value.body)) {
      for (const event of parser.push(textDecoder.decode(bytes, { stream: true }))) {
        await writer.write(event.event ? sseEvent(event.event, event.data) : `data: ${event.data}\n\n`);
        let parsed: AnthropicStreamEvent;
        try {
          parsed = JSON.parse(event.data) as AnthropicStreamEvent;
        } catch {
          throw new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} sent malformed JSON in its stream`);
        }
        relayedError ||= parsed.type === 'error';
        for (const part of decoder.decode(parsed)) collector.observe(part);
      }
      if (writer.isClosed) break;
    }
    if (!decoder.done && !writer.isClosed) {
      throw new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} ended the stream before message_stop`);
    }
  } catch (error) {
    failure =
      routed.signal.reason instanceof HubError
        ? routed.signal.reason
        : error instanceof HubError
          ? error
          : new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} stream broke: ${(error as Error).message}`);
  }
  const clientLeft = call.signal.aborted || writer.isClosed;
  // An upstream `error` event was already relayed; a cut or timeout gets one of our own.
  if (failure && !clientLeft && !relayedError) await writer.write(anthropicErrorSse(failure));
  writer.end();
  routed.finish(failure && !clientLeft ? 'failure' : clientLeft ? 'neutral' : 'success');
  admission.settle({
    ...settlementBase(call, routed, true),
    usage: decoder.done ? collector.usage : null,
    outputText: collector.text(),
    status: clientLeft ? 499 : failure ? failure.status : 200,
    ...(failure ? { error: failure } : {}),
    ttfbMs,
  });
}

/** Non-streaming fast path: the upstream's JSON goes to the client as is; usage is read from it. */
export async function relayAnthropicJson(call: GatewayCall, admission: Admission, routed: Routed<ForwardResponse>): Promise<string> {
  const { text, body: message } = await readForwardedJson<AnthropicMessage>(call, routed);
  routed.finish('success');
  const result = anthropicMessageToCanonical(message);
  admission.settle({
    ...settlementBase(call, routed, false),
    usage: message.usage ? result.usage : null,
    outputText: result.choices.map((choice) => choice.message.content ?? '').join(''),
    status: 200,
  });
  return text;
}
