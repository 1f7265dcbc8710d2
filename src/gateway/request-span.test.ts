import { describe, expect, it } from 'vitest';
import type { AdmissionRequest, Principal } from '../economy/index.js';
import { noopTracer, type SpanAttributes, type Tracer } from '../observability/index.js';
import { startRequestSpan } from './request-span.js';

/** Records the name and attributes each span starts with. */
function recordingTracer(): Tracer & { started: { name: string; attributes: SpanAttributes | undefined }[] } {
  const started: { name: string; attributes: SpanAttributes | undefined }[] = [];
  return {
    enabled: true,
    started,
    startSpan(name, attributes) {
      started.push({ name, attributes });
      return noopTracer.startSpan(name);
    },
    flush: async () => {},
    shutdown: async () => {},
  };
}

const principal: Principal = { kind: 'admin', tenantId: null, projectId: null, keyId: null, allowedModels: null, scopes: ['inference'] };
const base: AdmissionRequest = { requestId: 'req_1', model: 'm', surface: 'openai' };

describe('request spans', () => {
  it('name the GenAI operation: chat, text_completion or embeddings', () => {
    const tracer = recordingTracer();
    startRequestSpan(tracer, principal, { ...base, chat: { model: 'm', messages: [], stream: false } });
    startRequestSpan(tracer, principal, { ...base, operation: 'text_completion', chat: { model: 'm', messages: [], stream: true } });
    startRequestSpan(tracer, principal, { ...base, embeddingsInput: 'hello' });
    expect(tracer.started.map((span) => [span.name, span.attributes?.['gen_ai.operation.name']])).toEqual([
      ['chat m', 'chat'],
      ['text_completion m', 'text_completion'],
      ['embeddings m', 'embeddings'],
    ]);
  });
});
