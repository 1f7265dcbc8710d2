import { HubError, type StreamPart } from '../../core/index.js';
import { openaiErrorBody } from '../../wire/openai/index.js';
import { sseData } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import type { GatewayCall } from '../pipeline/index.js';
import type { SurfaceContext } from './surface-context.js';

/**
 * Writes a canonical stream as OpenAI-style SSE (chat or legacy completion chunks): each part through
 * `encode`, then `[DONE]` — or, when the stream fails, an error event in the OpenAI shape instead.
 */
export async function writeOpenAISse(
  surface: SurfaceContext,
  call: GatewayCall,
  parts: AsyncIterable<StreamPart>,
  writer: SseWriter,
  encode: (part: StreamPart) => object | null,
): Promise<void> {
  try {
    for await (const part of parts) {
      const chunk = encode(part);
      const backpressure = chunk ? writer.write(sseData(JSON.stringify(chunk))) : undefined;
      if (backpressure) await backpressure;
      if (writer.isClosed) break;
    }
    await writer.write(sseData('[DONE]'));
  } catch (error) {
    const failure = error instanceof HubError ? error : new HubError('UPSTREAM_ERROR', 'upstream stream failed');
    surface.log.warn({ requestId: call.requestId, code: failure.code }, failure.message);
    await writer.write(sseData(JSON.stringify(openaiErrorBody(failure))));
  }
  writer.end();
}
