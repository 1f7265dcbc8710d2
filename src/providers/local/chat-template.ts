import type { ChatWrapper, LlamaModel, SpecializedChatWrapperTypeName } from 'node-llama-cpp';
import { HubError } from '../../core/index.js';
import type { NodeLlamaCpp } from './engine.js';

/** Where a model's chat template comes from. */
export type ChatTemplateSource = 'gguf' | 'override' | 'none';

export interface ResolvedChatTemplate {
  source: ChatTemplateSource;
  /** null when the model has no template: it serves `/v1/completions` only. */
  wrapper: ChatWrapper | null;
}

/** A config `chat_template` holding Jinja text rather than a wrapper name. */
export function isJinjaText(value: string): boolean {
  return value.includes('{%') || value.includes('{{');
}

/** The node-llama-cpp wrapper name a config value designates (case-insensitive), or undefined. */
export function chatWrapperName(
  lib: Pick<NodeLlamaCpp, 'specializedChatWrapperTypeNames'>,
  value: string,
): SpecializedChatWrapperTypeName | undefined {
  const wanted = value.toLowerCase();
  return lib.specializedChatWrapperTypeNames.find((name) => name.toLowerCase() === wanted);
}

/**
 * The model's chat template: the config override when set, else the GGUF's own
 * `tokenizer.chat_template` (node-llama-cpp picks a specialised wrapper equivalent to it when one
 * exists, for better function calling, and runs the Jinja text otherwise). Never a guess from the
 * architecture name: a base model without a template gets none.
 */
export function resolveChatTemplate(lib: NodeLlamaCpp, model: LlamaModel, override: string | undefined): ResolvedChatTemplate {
  if (override !== undefined) {
    if (isJinjaText(override)) return { source: 'override', wrapper: new lib.JinjaTemplateChatWrapper({ template: override }) };
    const name = chatWrapperName(lib, override);
    if (!name) throw new HubError('INVALID_REQUEST', `unknown chat_template "${override}"`);
    const wrapper = lib.resolveChatWrapper(model, { type: name, warningLogs: false });
    return { source: 'override', wrapper };
  }
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  if (typeof template !== 'string' || template.trim() === '') return { source: 'none', wrapper: null };
  return { source: 'gguf', wrapper: lib.resolveChatWrapper(model, { warningLogs: false }) };
}

export function noChatTemplateError(modelId: string): HubError {
  return new HubError(
    'UNSUPPORTED_FEATURE',
    `Local model \`${modelId}\` has no chat template (it is a base model), so it cannot serve chat requests. ` +
      'Use POST /v1/completions with a text prompt instead, or set `chat_template` on the model in the config.',
    { param: 'model', code: 'no_chat_template' },
  );
}
