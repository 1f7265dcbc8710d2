import { HubError, type Usage } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import { usageFromResponses } from '../../wire/responses/index.js';
import { SseParser, sseEvent } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type GatewayCall, isReportedUsage, readForwardedJson, settleAttempt } from '../pipeline/index.js';
import { ModelFieldRewriter } from './served-model.js';

/**
 * Native fast path: an upstream that speaks the Responses API gets the client's body (re-targeted) and
 * its events go back to the client as they come. TokenHub only watches for the terminal event, whose
 * response carries the usage to bill (once) and is what gets stored.
 */

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
/** Events that carry the whole Response object, and with it the `model` rewritten to the requested name. */
const RESPONSE_OBJECT_EVENTS = new Set(['response.created', 'response.queued', 'response.in_progress', ...TERMINAL_EVENTS]);
const DELTA_EVENTS = new Set(['response.output_text.delta', 'response.function_call_arguments.delta', 'response.reasoning_text.delta']);

export interface NativeResponseJson {
  /** The upstream's bytes, sent on to the client unchanged. */
  text: string;
  response: Record<string, unknown>;
}

/** Non-streaming, inside the routing attempt: the body read whole and parsed; anything but a JSON object is an upstream failure. */
export async function readNativeResponseJson(
  providerId: string,
  forwarded: ForwardResponse,
  signal: AbortSignal,
): Promise<NativeResponseJson> {
  const { text, body } = await readForwardedJson<unknown>(providerId, forwarded, signal);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} sent a body that is not a JSON object`);
  }
  return { text, response: body as Record<string, unknown> };
}

/** Settles a native non-streaming answer at the usage it reports (the tokenizer counts its text when it reports none). */
export async function settleResponsesJson(call: GatewayCall, admission: Admission, routed: Routed<NativeResponseJson>): Promise<void> {
  const { response } = routed.value;
  const usage = usageFromResponses(response.usage);
  await settleAttempt(call, admission, routed, false, {
    usage,
    outputText: isReportedUsage(usage) ? '' : outputTextOf(response),
    clientLeft: false,
  });
}

/**
 * Streaming: events are re-framed one by one (same event name, same data). The terminal event is held
 * back until the call is settled (its usage durable) and `beforeTerminal` has stored the response, so
 * a client that sees `response.completed` can rely on both. `beforeTerminal` returns the response as
 * the client is to see it; when that is not the upstream's (a store that failed), the frame is rebuilt.
 */
export async function relayResponsesStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  writer: SseWriter,
  beforeTerminal: (response: Record<string, unknown>) => Promise<Record<string, unknown>>,
  requestedModel: string,
): Promise<void> {
  const model = new ModelFieldRewriter(requestedModel);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const ttfbMs = call.timing.elapsedMs();
  let usage: Usage | null = null;
  let terminal = false;
  let held: { type: string; event: Record<string, unknown>; response: Record<string, unknown>; frame: string } | undefined;
  // Whether the upstream's own `error` / `response.failed` already told the client.
  let clientInformed = false;
  let lastSequence = -1;
  let failure: HubError | undefined;
  // Delta payloads, decoded only if the upstream never reports usage (tokenizer fallback).
  const deltas: string[] = [];
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
      for (const upstreamEvent of parser.push(decoder.decode(next.value, { stream: true }))) {
        const type = upstreamEvent.event ?? typeOf(upstreamEvent.data);
        const event =
          type && RESPONSE_OBJECT_EVENTS.has(type) ? { ...upstreamEvent, data: model.rewrite(upstreamEvent.data) } : upstreamEvent;
        lastSequence = sequenceOf(event.data) ?? lastSequence;
        if (type && TERMINAL_EVENTS.has(type)) {
          const data = parseObject(event.data);
          const response = data?.response as Record<string, unknown> | undefined;
          if (data && response) {
            terminal = true;
            usage = usageFromResponses(response.usage);
            if (type === 'response.failed') {
              failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} failed the response`);
              clientInformed = true;
            } else {
              held = { type, event: data, response, frame: sseEvent(type, event.data) };
              continue;
            }
          }
        } else if (type === 'error') {
          failure ??= new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} failed mid-stream`);
          clientInformed = true;
        } else if (type && DELTA_EVENTS.has(type)) {
          deltas.push(event.data);
        }
        await writer.write(type ? sseEvent(type, event.data) : `data: ${event.data}\n\n`);
      }
      // Nothing follows a terminal event; stop reading rather than wait on a lingering connection.
      if (writer.isClosed || terminal) break;
    }
    if (!terminal && !failure && !writer.isClosed) {
      failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} ended the stream early`);
    }
  } catch (error) {
    failure =
      routed.signal.reason instanceof HubError
        ? routed.signal.reason
        : error instanceof HubError
          ? error
          : new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} stream broke: ${(error as Error).message}`);
  } finally {
    await iterator.return?.();
  }
  const clientLeft = call.signal.aborted || writer.isClosed;
  try {
    await settleAttempt(call, admission, routed, true, {
      usage,
      outputText: isReportedUsage(usage) ? '' : deltaText(deltas),
      failure,
      clientLeft,
      ttfbMs,
    });
    if (held && !failure && !clientLeft) {
      const shown = await beforeTerminal(held.response);
      await writer.write(shown === held.response ? held.frame : sseEvent(held.type, JSON.stringify({ ...held.event, response: shown })));
    }
  } catch (error) {
    failure = error instanceof HubError ? error : new HubError('INTERNAL', 'the usage of this response could not be recorded');
  }
  if (failure && !clientLeft && !clientInformed) await writer.write(errorFrame(failure, lastSequence + 1));
  writer.end();
}

function errorFrame(failure: HubError, sequence: number): string {
  const code = failure.details.code ?? failure.code.toLowerCase();
  const error = { type: failure.spec.openaiType, code, message: failure.message, param: null };
  return sseEvent(
    'error',
    JSON.stringify({ type: 'error', sequence_number: sequence, code, message: failure.message, param: null, error }),
  );
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sequenceOf(data: string): number | undefined {
  const match = /"sequence_number"\s*:\s*(\d+)/.exec(data);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** The event type from the data when the upstream sent no `event:` line. */
function typeOf(data: string): string | undefined {
  const match = /^\{\s*"type"\s*:\s*"([^"]+)"/.exec(data);
  if (match) return match[1];
  const parsed = parseObject(data);
  return typeof parsed?.type === 'string' ? parsed.type : undefined;
}

function deltaText(payloads: string[]): string {
  let text = '';
  for (const payload of payloads) {
    const delta = parseObject(payload)?.delta;
    if (typeof delta === 'string') text += delta;
  }
  return text;
}

/** Generated text of a Response object, for the tokenizer when the upstream reported no usage. */
function outputTextOf(response: Record<string, unknown>): string {
  let text = '';
  const output = Array.isArray(response.output) ? (response.output as Record<string, unknown>[]) : [];
  for (const item of output) {
    if (typeof item.arguments === 'string') text += String(item.name ?? '') + item.arguments;
    const content = Array.isArray(item.content) ? (item.content as Record<string, unknown>[]) : [];
    for (const part of content) if (typeof part.text === 'string') text += part.text;
  }
  return text;
}
