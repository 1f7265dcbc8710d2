/**
 * The scripted provider (`type: scripted`): answers each chat call with the next step of a script (text,
 * reasoning, one or several tool calls, an upstream error, usage), so agents are tested and demoed
 * deterministically with no model. The script comes from the config file (`script:`) and can be replaced
 * at run time in process (`setScript`, reached through `hub.scripted(id)`); never from a tenant's request.
 * Its usage is billed like any upstream's. No embeddings, no legacy completions, no pass-through.
 */
import type { ProviderConfig, ScriptStepInput } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { Provider } from '../spec.js';
import { scriptedChat } from './chat.js';
import { ScriptCursor, type ScriptedCall } from './script.js';
import { scriptedStream } from './stream.js';

export type { ScriptedCall } from './script.js';

export interface ScriptedProvider extends Provider {
  readonly type: 'scripted';
  /** Replaces the script and starts it over (used steps and recorded calls are forgotten); throws INVALID_REQUEST for a bad step. */
  setScript(steps: readonly ScriptStepInput[]): void;
  /** Steps not used up yet (`repeat` steps count always). */
  remaining(): number;
  /** The calls received since the script was set, oldest first (the last 1,000). */
  readonly calls: readonly ScriptedCall[];
}

export function isScriptedProvider(provider: Provider | undefined): provider is ScriptedProvider {
  return provider?.type === 'scripted';
}

export function createScriptedProvider(config: ProviderConfig): ScriptedProvider {
  const cursor = new ScriptCursor(config.id, config.script ?? []);
  return {
    id: config.id,
    type: 'scripted',
    passthrough: null,
    responsesApi: false,
    chat: (request, context) => scriptedChat(cursor, config.id, request, context),
    streamChat: (request, context) => scriptedStream(cursor, config.id, request, context),
    embeddings: () => Promise.reject(new HubError('UNSUPPORTED_FEATURE', `provider ${config.id} (scripted) serves no embeddings`)),
    setScript: (steps) => cursor.set(steps),
    remaining: () => cursor.remaining(),
    calls: cursor.calls,
    close: async () => {},
  };
}
