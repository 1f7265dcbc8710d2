import { type ChatMessage, HubError, type JsonObject } from '../../core/index.js';
import type { LlmStep } from '../document.js';
import { type ExpressionScope, renderText } from '../expressions.js';
import { schemaProblem } from './json-check.js';
import { StepError } from './signals.js';
import type { StepEnvironment } from './step-environment.js';

/**
 * An `llm` step: one model call through the gateway client, billed on the ledger with the workflow and the run;
 * with an `output_schema`, the answer must be JSON matching it (`json` in the output), else `invalid_output`.
 */
export async function runLlmStep(env: StepEnvironment, step: LlmStep, scope: ExpressionScope, key: string, signal: AbortSignal) {
  const messages: ChatMessage[] = [
    ...(step.system ? [{ role: 'system' as const, content: renderText(step.system, scope) }] : []),
    { role: 'user', content: renderText(step.prompt, scope) },
  ];
  return env.context.keyedEffect(key, { kind: 'llm', name: key, idempotent: true, input: { model: step.model } }, async (call) => {
    const result = await env.deps.client.chat(
      {
        model: step.model,
        messages,
        stream: false,
        ...(step.max_tokens !== undefined ? { maxTokens: step.max_tokens } : {}),
        ...(step.temperature !== undefined ? { temperature: step.temperature } : {}),
        ...(step.output_schema
          ? { responseFormat: { type: 'json_schema' as const, name: 'output', schema: step.output_schema as JsonObject } }
          : {}),
      },
      {
        principal: env.principal,
        signal,
        clientRequestId: call.idempotencyKey,
        attribution: {
          runId: env.run.id,
          workflow: env.run.subject,
          ...(env.runBudgets.length > 0 ? { runBudgets: env.runBudgets } : {}),
        },
      },
    );
    const text = result.choices[0]?.message.content ?? '';
    if (!result.choices[0]) throw new HubError('UPSTREAM_ERROR', `model ${step.model} answered no choice`);
    if (!step.output_schema) return { text };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new StepError('invalid_output', `the model's answer is not JSON: ${text.slice(0, 200)}`);
    }
    const problem = schemaProblem(step.output_schema, json);
    if (problem) throw new StepError('invalid_output', `the model's answer does not match the output schema: ${problem}`);
    return { text, json } as JsonObject;
  });
}
