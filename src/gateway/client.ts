import type { ChatRequest, ChatResult, EmbeddingsRequest, EmbeddingsResult } from '../core/index.js';
import { newId } from '../core/index.js';
import type { CallAttribution, Principal } from '../economy/index.js';
import { RequestTiming } from './http/timing.js';
import type { ChatPipeline, GatewayCall, StartedStream } from './pipeline/index.js';

export interface GatewayClientCall {
  principal: Principal;
  signal?: AbortSignal;
  /** The caller's own id for correlation (e.g. an agent run's step); the hub mints the request id. */
  clientRequestId?: string;
  /** The agent, run and thread the call is made for: recorded on its ledger row. */
  attribution?: CallAttribution;
}

/**
 * In-process client with the same admission, routing and metering as HTTP traffic: agents spend
 * tokens through it and are billed exactly like API callers.
 */
export interface GatewayClient {
  chat(request: ChatRequest, call: GatewayClientCall): Promise<ChatResult>;
  streamChat(request: ChatRequest, call: GatewayClientCall): Promise<StartedStream>;
  embeddings(request: EmbeddingsRequest, call: GatewayClientCall): Promise<EmbeddingsResult>;
}

export function createGatewayClient(pipeline: ChatPipeline): GatewayClient {
  const open = (call: GatewayClientCall): GatewayCall => ({
    requestId: newId('req'),
    ...(call.clientRequestId ? { clientRequestId: call.clientRequestId } : {}),
    ...(call.attribution ? { attribution: call.attribution } : {}),
    principal: call.principal,
    signal: call.signal ?? new AbortController().signal,
    timing: new RequestTiming(),
    surface: 'internal',
  });
  return {
    chat: (request, call) => pipeline.complete(open(call), { ...request, stream: false }),
    streamChat: (request, call) => pipeline.stream(open(call), { ...request, stream: true }),
    embeddings: (request, call) => pipeline.embeddings(open(call), request),
  };
}
