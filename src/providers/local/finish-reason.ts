import type { FinishReason } from '../../core/index.js';

/** node-llama-cpp stop reasons → OpenAI finish reasons. */
export function finishReasonOf(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'maxTokens':
      return 'length';
    case 'functionCalls':
      return 'tool_calls';
    default:
      // eogToken, stopGenerationTrigger, customStopTrigger, abort
      return 'stop';
  }
}
