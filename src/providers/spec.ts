/**
 * The contract every provider adapter implements. A provider speaks one upstream's wire protocol and
 * translates the canonical model (`core/`) into it and back; it knows nothing of money, tenants or routing.
 *
 * Timing contract: `chat`, `streamChat` and `forward` resolve only once the upstream has produced its
 * first byte of body (for streams: its first event). Everything that fails before that is thrown as a
 * `HubError` whose `retryable` flag tells the router whether another attempt may succeed; once they
 * resolve, nothing has been sent to the client yet, so a retry is always safe up to that point.
 */
import type { LookupFunction } from 'node:net';
import type {
  ChatRequest,
  ChatResult,
  ChatStream,
  EmbeddingsRequest,
  EmbeddingsResult,
  TextCompletionRequest,
  TextCompletionResult,
} from '../core/index.js';

/** Client-facing protocols a provider can take byte-for-byte (the pass-through fast path). */
export type WireProtocol = 'openai' | 'anthropic';

export interface CallContext {
  /** Aborted when the client goes away, the attempt times out, or the router gives up. */
  signal: AbortSignal;
  requestId: string;
}

export interface ForwardCall {
  /** Path relative to the provider's base URL, e.g. `/chat/completions` or `/messages`. */
  path: string;
  /** The request body in the provider's own protocol, already re-targeted at the upstream model. */
  body: string;
  stream: boolean;
  /** Client headers the upstream protocol defines (e.g. `anthropic-version`, `anthropic-beta`). */
  headers?: Record<string, string>;
}

export interface ForwardResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /**
   * The body bytes. For streams the first chunk has already arrived when `forward` resolves (first-byte
   * timeout); iterating yields it first. Breaking out of the iteration aborts the upstream read.
   */
  body: AsyncIterable<Uint8Array>;
  /**
   * Non-streaming forwards: the whole body, already read and scrubbed (what `body` would yield, decoded),
   * so a JSON answer is not re-assembled from chunks. `body` is then not to be iterated.
   */
  text?: string;
}

/** How a provider is built, beyond its config entry. */
export interface ProviderOptions {
  /**
   * Resolves upstream host names at connect time (net's `lookup` shape). Providers created through the
   * admin API get one that refuses addresses the upstream URL policy forbids, so a DNS answer that
   * changes after the URL was checked (rebinding) still cannot reach them.
   */
  lookup?: LookupFunction;
}

export interface Provider {
  readonly id: string;
  readonly type: 'openai' | 'anthropic' | 'local' | 'scripted';
  /** The protocol `forward` speaks, or null when the provider has no byte-level pass-through. */
  readonly passthrough: WireProtocol | null;
  /** Whether `forward` may take OpenAI Responses API calls (`/responses`) natively. */
  readonly responsesApi: boolean;
  chat(request: ChatRequest, context: CallContext): Promise<ChatResult>;
  /** Resolves once the first stream event arrived; the iterator yields the rest in order. */
  streamChat(request: ChatRequest, context: CallContext): Promise<ChatStream>;
  embeddings(request: EmbeddingsRequest, context: CallContext): Promise<EmbeddingsResult>;
  /**
   * Legacy text completion (`/v1/completions`): the prompt is continued as is, with no chat template.
   * Optional; a provider without it cannot serve that surface (the gateway answers UNSUPPORTED_FEATURE).
   * Same timing contract as `chat`.
   */
  complete?(request: TextCompletionRequest, context: CallContext): Promise<TextCompletionResult>;
  /**
   * Streaming text completion; same timing contract as `streamChat`. The stream carries only
   * `response-start`, `text-delta`, `logprobs-delta`, `choice-finish` and `usage-final` parts.
   */
  streamComplete?(request: TextCompletionRequest, context: CallContext): Promise<ChatStream>;
  /** Pass-through for same-protocol traffic. Throws for non-2xx answers like the other calls. */
  forward?(call: ForwardCall, context: CallContext): Promise<ForwardResponse>;
  /**
   * Frees pools and loaded models. By default whatever is still in flight is aborted (the HTTP server
   * has drained already); `graceful` lets in-flight calls finish first (a provider replaced at run time).
   */
  close(options?: { graceful?: boolean }): Promise<void>;
}
