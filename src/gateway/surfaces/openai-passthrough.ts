import { HubError, type Usage } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import {
  chatCompletionToCanonical,
  type OpenAIChatChunk,
  type OpenAIChatCompletion,
  OpenAIChunkDecoder,
  openaiErrorBody,
  usageFromOpenAI,
} from '../../wire/openai/index.js';
import { SseParser, sseData } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type ForwardedJson, type GatewayCall, isReportedUsage, OutputCollector, settleAttempt } from '../pipeline/index.js';
import { ModelFieldRewriter } from './served-model.js';

/**
 * Same-protocol fast path: the upstream's own events go to the client as they arrive; TokenHub only
 * watches them for the usage block (stripped when the client did not ask for it). The closing `[DONE]`
 * is held back until the call is settled, so a stream the client saw complete is always on the ledger.
 * Each chunk's `model` is rewritten to the requested name (one `indexOf` per chunk, no parse).
 */
export async function relayOpenAIStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  writer: SseWriter,
  clientWantsUsage: boolean,
  requestedModel: string,
): Promise<void> {
  const provider = routed.attempt.provider.id;
  const model = new ModelFieldRewriter(requestedModel);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const ttfbMs = call.timing.elapsedMs();
  let usage: Usage | null = null;
  const meter = new PayloadMeter(routed.attempt.model.name);
  let failure: HubError | undefined;
  let relayedError = false;
  let sawDone = false;
  try {
    for await (const bytes of call.timing.waitOnIterable(routed.value.body)) {
      // The events of one upstream read go out in one write: a syscall per read, not per event.
      let batch = '';
      for (const event of parser.push(decoder.decode(bytes, { stream: true }))) {
        const data = event.data;
        if (data === '[DONE]') {
          sawDone = true;
          continue;
        }
        // Chunks carry `"usage":null` until the last: only a non-null one is parsed.
        if (data.includes('"usage":') && !data.includes('"usage":null')) {
          const chunk = parseChunk(data);
          if (chunk?.usage !== undefined && chunk.usage !== null) {
            usage = usageFromOpenAI(chunk.usage);
            if (!clientWantsUsage && chunk.choices.length === 0) continue;
          }
        } else if (!isReportedUsage(usage)) {
          meter.push(data);
        }
        if (data.startsWith('{"error"')) {
          relayedError = true;
          failure = new HubError('UPSTREAM_ERROR', `upstream ${provider} failed mid-stream`);
        }
        batch += sseData(model.rewrite(data));
      }
      if (batch) await writer.write(batch);
      if (writer.isClosed) break;
    }
    if (!sawDone && !writer.isClosed && !failure) failure = new HubError('UPSTREAM_ERROR', `upstream ${provider} ended the stream early`);
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
      usage,
      ...(isReportedUsage(usage) ? { outputText: '' } : meter.output()),
      failure,
      clientLeft,
      ttfbMs,
    });
  } catch (error) {
    // Usage could not be made durable: the client must not see a completed stream.
    failure = new HubError('INTERNAL', 'usage could not be recorded', { cause: error });
  }
  if (!clientLeft) {
    if (failure && !relayedError) await writer.write(sseData(JSON.stringify(openaiErrorBody(failure))));
    else if (!failure) await writer.write(sseData('[DONE]'));
  }
  writer.end();
}

/** Non-streaming fast path: the body (read within the attempt) is settled, then sent on unchanged. */
export async function relayOpenAIJson(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardedJson<OpenAIChatCompletion>>,
): Promise<string> {
  const completion = routed.value.body;
  const usage = completion.usage ? usageFromOpenAI(completion.usage) : null;
  const outputText = isReportedUsage(usage)
    ? ''
    : chatCompletionToCanonical(completion)
        .choices.map((choice) => choice.message.content ?? '')
        .join('');
  await settleAttempt(call, admission, routed, false, { usage, outputText });
  return routed.value.text;
}

function parseChunk(data: string): OpenAIChatChunk | null {
  try {
    return JSON.parse(data) as OpenAIChatChunk;
  } catch {
    return null;
  }
}

/**
 * The tokenizer fallback for pass-through streams. Chunks are kept raw and decoded only if the upstream
 * never reports usage; past 256 KiB they are decoded as they come, so memory stays bounded.
 */
class PayloadMeter {
  private raw: string[] = [];
  private rawChars = 0;
  private incremental = false;
  private readonly decoder = new OpenAIChunkDecoder();
  private readonly collector: OutputCollector;

  constructor(model: string) {
    this.collector = new OutputCollector(model);
  }

  push(payload: string): void {
    if (this.incremental) {
      this.decode(payload);
      return;
    }
    this.raw.push(payload);
    this.rawChars += payload.length;
    if (this.rawChars > 256 * 1024) {
      this.drain();
      this.incremental = true;
    }
  }

  output(): { outputText: string; outputTokensCounted: number } {
    this.drain();
    return this.collector.output();
  }

  private drain(): void {
    for (const payload of this.raw) this.decode(payload);
    this.raw = [];
    this.rawChars = 0;
  }

  private decode(payload: string): void {
    const chunk = parseChunk(payload);
    if (!chunk?.choices) return;
    for (const part of this.decoder.decode(chunk)) this.collector.observe(part);
  }
}
