import { HubError } from '../../core/index.js';
import type { AnthropicMessagesRequest } from './messages.request.js';

/** The `anthropic-version` values Anthropic defines, oldest first. */
export const ANTHROPIC_API_VERSIONS = ['2023-01-01', '2023-06-01', '2026-10-21'] as const;

const REMOVED_SAMPLING = ['temperature', 'top_p', 'top_k'] as const;

/**
 * Refuses, as Anthropic does with a 400, what the client's `anthropic-version` does not define: an unknown
 * version, and since 2026-10-21 the sampling parameters (whatever their value), document blocks in
 * assistant messages and citations on user text blocks. Other protocols keep accepting sampling
 * parameters, so this is for the Anthropic surface only.
 */
export function checkAnthropicVersion(version: string, body: AnthropicMessagesRequest): void {
  if (!(ANTHROPIC_API_VERSIONS as readonly string[]).includes(version)) {
    throw new HubError('INVALID_REQUEST', `anthropic-version: invalid version ${version}`, { param: 'anthropic-version' });
  }
  if (version < '2026-10-21') return;
  for (const field of REMOVED_SAMPLING) {
    if (body[field] !== undefined) throw new HubError('INVALID_REQUEST', `${field}: Extra inputs are not permitted`, { param: field });
  }
  body.messages.forEach((message, index) => {
    if (typeof message.content === 'string' || message.role === 'system') return;
    message.content.forEach((block, blockIndex) => {
      const param = `messages.${index}.content.${blockIndex}`;
      if (message.role === 'assistant' && block.type === 'document') {
        throw new HubError('INVALID_REQUEST', `${param}: document blocks are not allowed in assistant messages`, { param });
      }
      if (message.role === 'user' && carriesCitations(block)) {
        throw new HubError('INVALID_REQUEST', `${param}: citations are not allowed on user text blocks`, { param });
      }
    });
  });
}

function carriesCitations(block: { type: string; [key: string]: unknown }): boolean {
  if (block.type === 'text') return Array.isArray(block.citations) && block.citations.length > 0;
  if (block.type === 'search_result' && Array.isArray(block.content)) {
    return block.content.some((inner: unknown) => {
      const text = inner as { type?: unknown; citations?: unknown };
      return text.type === 'text' && Array.isArray(text.citations) && text.citations.length > 0;
    });
  }
  return false;
}
