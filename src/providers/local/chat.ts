import type { ChatHistoryItem, ChatModelFunctions, LlamaGrammar } from 'node-llama-cpp';
import {
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  HubError,
  newId,
  type ToolCall,
  type ToolDefinition,
  type Usage,
} from '../../core/index.js';
import type { CallContext } from '../spec.js';
import { noChatTemplateError } from './chat-template.js';
import { finishReasonOf } from './finish-reason.js';
import { forcedToolGrammar, forcedToolInstruction, parseForcedToolCall, responseFormatGrammar } from './grammar.js';
import { toChatHistory } from './history.js';
import type { Lease, LocalModel } from './model-pool.js';
import { outputBudget, samplingOptions } from './sampling.js';
import { localUsage } from './usage.js';

/** Where generated text goes as it is produced (streams); non-streaming calls pass none. */
export interface GenerationEvents {
  onText?(text: string): void;
  onReasoning?(text: string): void;
}

export interface ChatOutcome {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
}

type ToolMode = { kind: 'none' } | { kind: 'auto'; functions: ChatModelFunctions } | { kind: 'forced'; tools: ToolDefinition[] };

function toolModeOf(request: ChatRequest): ToolMode {
  const tools = request.tools ?? [];
  const choice = request.toolChoice ?? 'auto';
  if (tools.length === 0 || choice === 'none') return { kind: 'none' };
  if (choice === 'auto') {
    const functions: Record<string, ChatModelFunctions[string]> = {};
    for (const tool of tools) {
      functions[tool.name] = {
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.parameters ? { params: tool.parameters as unknown as NonNullable<ChatModelFunctions[string]['params']> } : {}),
      };
    }
    return { kind: 'auto', functions };
  }
  if (choice === 'required') return { kind: 'forced', tools };
  const named = tools.filter((tool) => tool.name === choice.name);
  if (named.length === 0) {
    throw new HubError('INVALID_REQUEST', `tool_choice names \`${choice.name}\`, which is not among the tools.`, { param: 'tool_choice' });
  }
  return { kind: 'forced', tools: named };
}

/**
 * One chat generation on a leased slot: the model's chat template renders the history, sampling and
 * grammar constraints apply, and usage comes from the engine. Used by both the plain and the streaming
 * call.
 */
export async function generateChat(
  lease: Lease,
  modelId: string,
  request: ChatRequest,
  signal: AbortSignal,
  events: GenerationEvents = {},
): Promise<ChatOutcome> {
  const wrapper = lease.template.wrapper;
  if (!wrapper) throw noChatTemplateError(modelId);
  const sequence = lease.sequence;
  if (!sequence) throw new HubError('INTERNAL', 'chat lease without a context sequence');
  if (request.logprobs) {
    throw new HubError('UNSUPPORTED_FEATURE', 'Local models do not return logprobs yet.', { param: 'logprobs' });
  }
  const mode = toolModeOf(request);
  const hasFormat = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
  if (mode.kind === 'auto' && hasFormat) {
    throw new HubError('UNSUPPORTED_FEATURE', 'Local models take either tools or a JSON response_format in one request, not both.', {
      param: 'response_format',
    });
  }

  const history: ChatHistoryItem[] = toChatHistory(request.messages);
  let grammar: LlamaGrammar | undefined;
  if (mode.kind === 'forced') {
    history.unshift({ type: 'system', text: forcedToolInstruction(mode.tools) });
    grammar = await forcedToolGrammar(lease.llama, mode.tools);
  } else {
    grammar = await responseFormatGrammar(lease.llama, request.responseFormat);
  }
  const functions = mode.kind === 'auto' ? mode.functions : undefined;

  // Render once to count the prompt and check it fits: node-llama-cpp would otherwise silently drop
  // old messages to make room, changing the conversation behind the client's back.
  const state = wrapper.generateContextState({
    chatHistory: history,
    ...(functions ? { availableFunctions: functions, documentFunctionParams: true } : {}),
  });
  const promptTokens = state.contextText.tokenize(lease.model.tokenizer).length;
  const maxTokens = outputBudget(request.maxTokens, promptTokens, lease.contextSize);

  const chat = new lease.lib.LlamaChat({ contextSequence: sequence, chatWrapper: wrapper });
  const meterBefore = sequence.tokenMeter.getState();
  const streamText = mode.kind !== 'forced';
  try {
    const common = {
      ...samplingOptions(request, lease.contextSize),
      maxTokens,
      signal,
      stopOnAbortSignal: false,
      onResponseChunk: (chunk: { type: 'segment' | undefined; text: string }) => {
        if (chunk.text === '') return;
        if (chunk.type === 'segment') events.onReasoning?.(chunk.text);
        else if (streamText) events.onText?.(chunk.text);
      },
    };
    const response = functions
      ? await chat.generateResponse(history, { ...common, functions, documentFunctionParams: true })
      : await chat.generateResponse(history, { ...common, ...(grammar ? { grammar } : {}) });
    const usage = localUsage(promptTokens, meterBefore, sequence.tokenMeter.getState());
    const reasoning = response.fullResponse
      .filter((item): item is Exclude<typeof item, string> => typeof item !== 'string' && item.type === 'segment')
      .map((segment) => segment.text)
      .join('');
    let finishReason = finishReasonOf(response.metadata.stopReason);

    if (mode.kind === 'forced') {
      const call = parseForcedToolCall(response.response);
      if (call && finishReason !== 'length') {
        return {
          text: '',
          reasoning,
          toolCalls: [{ id: newId('call'), name: call.name, arguments: JSON.stringify(call.arguments) }],
          finishReason: 'tool_calls',
          usage,
        };
      }
      // Cut by max_tokens before the call was complete: hand back what was generated, as OpenAI does.
      events.onText?.(response.response);
      return { text: response.response, reasoning, toolCalls: [], finishReason, usage };
    }

    const toolCalls: ToolCall[] = (response.functionCalls ?? []).map((call) => ({
      id: newId('call'),
      name: call.functionName,
      arguments: JSON.stringify(call.params ?? {}),
    }));
    if (toolCalls.length > 0) finishReason = 'tool_calls';
    return { text: response.response, reasoning, toolCalls, finishReason, usage };
  } finally {
    chat.dispose({ disposeSequence: false });
  }
}

/** `chat` of the provider: waits for a slot, generates, frees the slot. */
export async function localChat(model: LocalModel, request: ChatRequest, context: CallContext): Promise<ChatResult> {
  const lease = await model.lease(context.signal);
  try {
    const outcome = await generateChat(lease, model.config.id, request, context.signal);
    return {
      id: newId('chatcmpl'),
      model: request.model,
      created: Math.floor(Date.now() / 1000),
      choices: [
        {
          index: 0,
          message: {
            content: outcome.toolCalls.length > 0 && outcome.text === '' ? null : outcome.text,
            ...(outcome.toolCalls.length > 0 ? { toolCalls: outcome.toolCalls } : {}),
            ...(outcome.reasoning ? { reasoning: outcome.reasoning } : {}),
          },
          finishReason: outcome.finishReason,
        },
      ],
      usage: outcome.usage,
    };
  } finally {
    await lease.release();
  }
}
