import { z } from 'zod';

/**
 * The script of a `scripted` provider: the replies it gives, one step per chat call, so that agents are
 * tested and demoed deterministically with no model (see docs/providers.md). Each call takes the first
 * step not used yet whose `when` holds (a step without `when` fits any call); a `repeat` step is never
 * used up. Shared by the config file (`script:` of a provider) and the in-process `setScript`.
 */
const tokens = z.number().int().nonnegative();

export const scriptToolCallSchema = z.strictObject({
  /** Default: `call_<call number>_<index>`. */
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  /** An object (sent as its JSON) or a string sent as is, e.g. broken JSON to test argument validation. */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
});

export const scriptUsageSchema = z.strictObject({
  input_tokens: tokens,
  output_tokens: tokens,
  cached_input_tokens: tokens.optional(),
  reasoning_tokens: tokens.optional(),
});

/** Conditions on the request; all that are given must hold. */
export const scriptWhenSchema = z.strictObject({
  /** The model name the provider is called with (the target's `model`). */
  model: z.string().min(1).optional(),
  /** Role of the request's last message. */
  last_role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']).optional(),
  /** The latest user message contains this text. */
  last_user_message_contains: z.string().min(1).optional(),
  /** One of the tool results after the last assistant message (the answers to its calls) contains this text. */
  last_tool_result_contains: z.string().min(1).optional(),
});

export const scriptStepSchema = z
  .strictObject({
    when: scriptWhenSchema.optional(),
    text: z.string().optional(),
    reasoning: z.string().optional(),
    /** One call, or several for parallel tool calls. */
    tool_calls: z.array(scriptToolCallSchema).min(1).optional(),
    /** Answer as if the upstream failed with this HTTP status (429, 500, 503…: the router retries those). */
    error: z.strictObject({ status: z.number().int().min(400).max(599), message: z.string().optional() }).optional(),
    /** Default: counted (see docs/providers.md). */
    usage: scriptUsageSchema.optional(),
    /** Default: `tool_calls` when the step has tool calls, else `stop`. */
    finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']).optional(),
    /** Wait this long before answering (a slow model; the call's abort signal still ends it). */
    delay_ms: z.number().int().nonnegative().max(600_000).optional(),
    /** Never used up: answers every call it fits. */
    repeat: z.boolean().optional(),
  })
  .superRefine((step, ctx) => {
    const answers = step.text !== undefined || step.tool_calls !== undefined || step.reasoning !== undefined;
    if (step.error && answers)
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'a step with error has no text, reasoning or tool_calls' });
    if (!step.error && !answers) ctx.addIssue({ code: 'custom', path: ['text'], message: 'a step needs text, tool_calls or error' });
  });

export const scriptSchema = z.array(scriptStepSchema);

/** A step as written (in the config file or passed to `setScript`). */
export type ScriptStepInput = z.input<typeof scriptStepSchema>;
/** A step once parsed (defaults applied). */
export type ScriptStep = z.output<typeof scriptStepSchema>;
