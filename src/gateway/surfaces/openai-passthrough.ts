import { HubError, type Usage } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import { chatCompletionToCanonical, type OpenAIChatChunk, type OpenAIChatCompletion, usageFromOpenAI } from '../../wire/openai/index.js';
import { SseParser, sseData } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type GatewayCall, OutputCollector, readForwardedJson, settlementBase } from '../pipeline/index.js';
import { OpenAIChunkDecoder } from '../../wire/openai/index.js';

/**
 * Same-protocol fast path: the upstream's own bytes go to the client; TokenHub only watches the stream
 * for the usage block (and strips it when the client did not ask for it).
 */
export async function relayOpenAIStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  writer: SseWriter,
  clientWantsUsage: boolean,
): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const ttfbMs = call.timing.elapsedMs();
  let usage: Usage | null = null;
  // Raw chunk payloads, decoded only if the upstream never reports usage (tokenizer fallback).
  const payloads: string[] = [];
  let failure: HubError | undefined;
  let sawDone = false;
  const iterator = routed.value.body[Symbol.asyncIterator]();
  try {
    for (;;) {
      call.timing.beginUpstreamWait();
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } finally {
        call.timing.endUpstreamWait();
      }
      if (next.done) break;
      for (const event of parser.push(decoder.decode(next.value, { stream: true }))) {
        const data = event.data;
        if (data === '[DONE]') {
          sawDone = true;
          await writer.write(sseData(data));
          continue;
        }
        if (data.includes('"usage":{')) {
          const chunk = parseChunk(data);
          if (chunk?.usage) {
            usage = usageFromOpenAI(chunk.usage);
            if (!clientWantsUsage && chunk.choices.length === 0) continue;
          }
        } else if (usage === null) {
          payloads.push(data);
        }
        if (data.startsWith('{"error"'))
          failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} failed mid-stream`);
        await writer.write(sseData(data));
      }
      if (writer.isClosed) break;
    }
    if (!sawDone && !writer.isClosed && !failure) {
      failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} ended the stream early`);
    }
  } catch (error) {
    failure =
      routed.signal.reason instanceof HubError
        ? routed.signal.reason
        : new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} stream broke: ${(error as Error).message}`);
  } finally {
    await iterator.return?.();
  }
  const clientLeft = call.signal.aborted || writer.isClosed;
  if (failure && !clientLeft && !sawDone) {
    await writer.write(
      sseData(
        JSON.stringify({
          error: { message: failure.message, type: failure.spec.openaiType, param: null, code: failure.code.toLowerCase() },
        }),
      ),
    );
  }
  writer.end();
  routed.finish(failure && !clientLeft ? 'failure' : clientLeft ? 'neutral' : 'success');
  admission.settle({
    ...settlementBase(call, routed, true),
    usage,
    outputText: usage ? '' : collectText(payloads),
    status: clientLeft ? 499 : failure ? failure.status : 200,
    ...(failure ? { error: failure } : {}),
    ttfbMs,
  });
}

/** Non-streaming fast path: the body is read whole (usage is in it) and sent on unchanged. */
export async function relayOpenAIJson(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
): Promise<{ text: string; usage: Usage | null }> {
  const { text, body: completion } = await readForwardedJson<OpenAIChatCompletion>(call, routed);
  routed.finish('success');
  const usage = completion.usage ? usageFromOpenAI(completion.usage) : null;
  const canonical = usage ? null : chatCompletionToCanonical(completion);
  admission.settle({
    ...settlementBase(call, routed, false),
    usage,
    outputText: canonical ? canonical.choices.map((choice) => choice.message.content ?? '').join('') : '',
    status: 200,
  });
  return { text, usage };
}

function parseChunk(data: string): OpenAIChatChunk | null {
  try {
    return JSON.parse(data) as OpenAIChatChunk;
  } catch {
    return null;
  }
}

function collectText(payloads: string[]): string {
  const decoder = new OpenAIChunkDecoder();
  const collector = new OutputCollector();
  for (const payload of payloads) {
    const chunk = parseChunk(payload);
    if (!chunk?.choices) continue;
    for (const part of decoder.decode(chunk)) collector.observe(part);
  }
  return collector.text();
}
