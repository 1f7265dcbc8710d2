import { type ScriptStep, type ScriptStepInput, scriptSchema } from '../../config/index.js';
import { type ChatRequest, HubError, type ToolCall } from '../../core/index.js';
import { messageText } from './usage.js';

/** What one step answers, with its tool calls' ids and argument texts settled. */
export interface ScriptedReply {
  text?: string;
  reasoning?: string;
  toolCalls: ToolCall[];
}

export interface ScriptedCall {
  /** The request as the provider received it. */
  request: ChatRequest;
  /** Index in the script of the step that answered it; null when none fitted. */
  step: number | null;
}

/** Requests kept for `calls`: enough for any test, bounded for a long-running demo. */
const MAX_RECORDED_CALLS = 1000;

/** The script and how far it has been played: which steps are used up, which calls came. */
export class ScriptCursor {
  private readonly providerId: string;
  private steps: ScriptStep[] = [];
  private used: boolean[] = [];
  private callCount = 0;
  readonly calls: ScriptedCall[] = [];

  constructor(providerId: string, steps: readonly ScriptStep[]) {
    this.providerId = providerId;
    this.reset(steps);
  }

  /** Validates the steps (a 400 naming the field of the first bad one) and starts the script over. */
  set(input: readonly ScriptStepInput[]): void {
    const parsed = scriptSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = `script.${issue?.path.map(String).join('.') ?? ''}`;
      throw new HubError('INVALID_REQUEST', `scripted provider ${this.providerId}: invalid ${param}: ${issue?.message ?? 'unknown'}`, {
        param,
      });
    }
    this.reset(parsed.data);
  }

  /** Steps that can still answer (a `repeat` step always can). */
  remaining(): number {
    return this.steps.filter((step, index) => step.repeat === true || !this.used[index]).length;
  }

  /** Takes the step for this call (synchronously, so parallel calls never share one). */
  take(request: ChatRequest): { step: ScriptStep; reply: ScriptedReply } {
    const callNumber = ++this.callCount;
    const index = this.steps.findIndex((step, at) => (step.repeat === true || !this.used[at]) && fits(step, request));
    this.calls.push({ request, step: index === -1 ? null : index });
    if (this.calls.length > MAX_RECORDED_CALLS) this.calls.shift();
    const step = this.steps[index];
    if (!step) {
      const left = this.remaining();
      throw new HubError(
        'INTERNAL',
        left === 0
          ? `scripted provider ${this.providerId}: the script is exhausted (${this.steps.length} steps, call ${callNumber})`
          : `scripted provider ${this.providerId}: the script is exhausted for this call: none of its ${left} remaining steps fits (call ${callNumber})`,
        { code: 'script_exhausted' },
      );
    }
    if (step.repeat !== true) this.used[index] = true;
    return { step, reply: replyOf(step, callNumber) };
  }

  private reset(steps: readonly ScriptStep[]): void {
    this.steps = [...steps];
    this.used = steps.map(() => false);
    this.callCount = 0;
    this.calls.length = 0;
  }
}

function replyOf(step: ScriptStep, callNumber: number): ScriptedReply {
  return {
    ...(step.text !== undefined ? { text: step.text } : {}),
    ...(step.reasoning !== undefined ? { reasoning: step.reasoning } : {}),
    toolCalls: (step.tool_calls ?? []).map((call, index) => ({
      id: call.id ?? `call_${callNumber}_${index}`,
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    })),
  };
}

function fits(step: ScriptStep, request: ChatRequest): boolean {
  const when = step.when;
  if (!when) return true;
  const messages = request.messages;
  if (when.model !== undefined && when.model !== request.model) return false;
  if (when.last_role !== undefined && messages.at(-1)?.role !== when.last_role) return false;
  if (when.last_user_message_contains !== undefined) {
    const lastUser = messages.findLast((message) => message.role === 'user');
    if (!lastUser || !messageText(lastUser).includes(when.last_user_message_contains)) return false;
  }
  if (when.last_tool_result_contains !== undefined) {
    const lastAssistant = messages.findLastIndex((message) => message.role === 'assistant');
    const results = messages.slice(lastAssistant + 1).filter((message) => message.role === 'tool');
    if (!results.some((message) => messageText(message).includes(when.last_tool_result_contains ?? ''))) return false;
  }
  return true;
}
