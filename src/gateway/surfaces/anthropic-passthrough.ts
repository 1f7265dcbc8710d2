import { HubError } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import {
  AnthropicEventDecoder,
  type AnthropicMessage,
  type AnthropicStreamEvent,
  anthropicErrorSse,
  anthropicMessageToCanonical,
} from '../../wire/anthropic/index.js';
import { SseParser, sseEvent } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type ForwardedJson, type GatewayCall, OutputCollector, settleAttempt } from '../pipeline/index.js';
import { ModelFieldRewriter } from './served-model.js';

/**
 * Same-protocol fast path for Anthropic clients on Anthropic upstreams: events are relayed as they arrive
 * and decoded on the side for usage (message_start / message_delta) and, if the stream is cut, the text.
 * The closing `message_stop` is held back until the call is settled (its usage durable). `message_start`
 * names the requested model, not the upstream's id.
 */
export async function relayAnthropicStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  writer: SseWriter,
  requestedModel: string,
): Promise<void> {
  const provider = routed.attempt.provider.id;
  const model = new ModelFieldRewriter(requestedModel);
  const parser = new SseParser();
  const textDecoder = new TextDecoder();
  const decoder = new AnthropicEventDecoder({ source: provider });
  const collector = new OutputCollector(routed.attempt.model.name);
  const ttfbMs = call.timing.elapsedMs();
  let failure: HubError | undefined;
  let relayedError = false;
  let heldStop: string | null = null;
  try {
    for await (const bytes of call.timing.waitOnIterable(routed.value.body)) {
      // The events of one upstream read go out in one write: a syscall per read, not per event.
      let batch = '';
      try {
        for (const event of parser.push(textDecoder.decode(bytes, { stream: true }))) {
          let parsed: AnthropicStreamEvent;
          try {
            parsed = JSON.parse(event.data) as AnthropicStreamEvent;
          } catch {
            throw new HubError('UPSTREAM_ERROR', `upstream ${provider} sent malformed JSON in its stream`);
          }
          // Only `message_start` names the model.
          const data = parsed.type === 'message_start' ? model.rewrite(event.data) : event.data;
          const frame = event.event ? sseEvent(event.event, data) : `data: ${data}\n\n`;
          if (parsed.type === 'message_stop') heldStop = frame;
          else batch += frame;
          relayedError ||= parsed.type === 'error';
          for (const part of decoder.decode(parsed)) collector.observe(part);
        }
      } finally {
        // Events before a broken one still reach the client, as they would have one by one.
        if (batch) await writer.write(batch);
      }
      if (writer.isClosed) break;
    }
    if (!decoder.done && !writer.isClosed)
      throw new HubError('UPSTREAM_ERROR', `upstream ${provider} ended the stream before message_stop`);
  } catch (error) {
    failure =
      routed.signal.reason instanceof HubError
        ? routed.signal.reason
        : error instanceof HubError
          ? error
          : new HubError('UPSTREAM_ERROR', `upstream ${provider} stream broke: ${(error as Error).message}`);
  }
  const clientLeft = call.signal.aborted || writer.isClosed;
  try {
    await settleAttempt(call, admission, routed, true, {
      usage: decoder.done ? collector.usage : null,
      ...collector.output(),
      failure,
      clientLeft,
      ttfbMs,
    });
  } catch (error) {
    failure = new HubError('INTERNAL', 'usage could not be recorded', { cause: error });
    heldStop = null;
  }
  if (!clientLeft) {
    // An upstream `error` event was already relayed; a cut or timeout gets one of our own.
    if (failure && !relayedError) await writer.write(anthropicErrorSse(failure));
    else if (!failure && heldStop) await writer.write(heldStop);
  }
  writer.end();
}

/** Non-streaming fast path: usage is read from the upstream's JSON (read within the attempt), then it is sent on as is. */
export async function relayAnthropicJson(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardedJson<AnthropicMessage>>,
): Promise<string> {
  const message = routed.value.body;
  const result = anthropicMessageToCanonical(message);
  await settleAttempt(call, admission, routed, false, {
    usage: message.usage ? result.usage : null,
    outputText: result.choices.map((choice) => choice.message.content ?? '').join(''),
  });
  return routed.value.text;
}
