import { describe, expect, it } from 'vitest';
import { HubError } from '../../core/index.js';
import { anthropicMessagesRequestSchema } from './messages.request.js';
import { checkAnthropicVersion } from './versions.js';

const parse = (body: Record<string, unknown>) =>
  anthropicMessagesRequestSchema.parse({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'x' }], ...body });

function refusal(version: string, body: Record<string, unknown>): string | undefined {
  try {
    checkAnthropicVersion(version, parse(body));
    return undefined;
  } catch (error) {
    if (error instanceof HubError && error.code === 'INVALID_REQUEST') return error.message;
    throw error;
  }
}

describe('checkAnthropicVersion', () => {
  it('refuses unknown versions', () => {
    expect(refusal('2024-01-01', {})).toBe('anthropic-version: invalid version 2024-01-01');
  });

  it('takes sampling parameters up to 2023-06-01 and refuses them from 2026-10-21, even at defaults', () => {
    expect(refusal('2023-06-01', { temperature: 0.2, top_p: 0.9, top_k: 5 })).toBeUndefined();
    expect(refusal('2026-10-21', { temperature: 1 })).toBe('temperature: Extra inputs are not permitted');
    expect(refusal('2026-10-21', { top_k: 5 })).toBe('top_k: Extra inputs are not permitted');
    expect(refusal('2026-10-21', {})).toBeUndefined();
  });

  it('refuses documents in assistant turns and citations on user text from 2026-10-21', () => {
    const document = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'd' } };
    const assistantDocument = {
      messages: [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: [document] },
      ],
    };
    expect(refusal('2023-06-01', assistantDocument)).toBeUndefined();
    expect(refusal('2026-10-21', assistantDocument)).toContain('messages.1.content.0: document blocks');
    const cited = { messages: [{ role: 'user', content: [{ type: 'text', text: 'x', citations: [{ type: 'char_location' }] }] }] };
    expect(refusal('2026-10-21', cited)).toContain('citations are not allowed');
    const uncited = { messages: [{ role: 'user', content: [{ type: 'text', text: 'x', citations: [] }] }] };
    expect(refusal('2026-10-21', uncited)).toBeUndefined();
  });
});
