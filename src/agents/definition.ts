import { z } from 'zod';
import { isStorableText, MAX_BUDGET_USD, UNSTORABLE_TEXT_MESSAGE, USD_DECIMALS, usdAmountProblem } from '../core/index.js';
import { toolDefinitionSchema } from './tools/tool-definitions.js';

export const AGENT_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const agentName = z.string().regex(AGENT_NAME_PATTERN, 'must be 1–64 letters, digits, _ or -');
const text = (max: number) => z.string().max(max).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
const usd = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const problem = usdAmountProblem(value, { decimals: USD_DECIMALS, max: MAX_BUDGET_USD });
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const agentLimitsSchema = z.strictObject({
  /** Model calls per run. */
  max_turns: z.number().int().min(1).max(200).default(10),
  /** Tool calls per run, all tools together. */
  max_tool_calls: z.number().int().min(0).max(2_000).default(50),
  /** A hard limit on what one run may spend (its model calls and its child runs'). */
  max_cost_usd: usd.optional(),
  /** Wall-clock time of a run, pauses for people not counted. */
  timeout_s: z.number().int().min(1).max(86_400).default(600),
});

/** What the customer is told when their conversation goes to a person, unless the agent says otherwise. */
export const DEFAULT_TRANSFER_MESSAGE = "I'm passing this conversation to a colleague, who will reply here shortly.";

/**
 * When a conversation goes to a person, besides the agent calling `transfer_to_human`: the customer asks
 * for one, their sentiment turns negative (a cheap model classifies each message, billed like any call),
 * tool calls keep failing, or the run's budget runs out mid-conversation. Tasks land in `queue` with this
 * priority and skills, due within `sla_minutes`.
 */
export const escalationSchema = z.strictObject({
  queue: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _, . or -')
    .default('default'),
  priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'),
  skills: z
    .array(z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/))
    .max(16)
    .default([]),
  sla_minutes: z.number().int().min(1).max(43_200).optional(),
  on_customer_request: z.boolean().default(true),
  negative_sentiment: z
    .strictObject({
      model: z.string().min(1).max(200).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE),
      /** How sure the classifier must be that the message is negative (0–1). */
      threshold: z.number().min(0).max(1).default(0.8),
    })
    .optional(),
  /** Hand off after this many turns in a row whose tool calls all failed. */
  tool_errors: z.number().int().min(1).max(20).optional(),
  on_budget_exhausted: z.boolean().default(false),
  /** What the customer is told when the conversation goes to a person. */
  transfer_message: text(2_000).min(1).default(DEFAULT_TRANSFER_MESSAGE),
});
export type EscalationRules = z.output<typeof escalationSchema>;

/** An agent as its owner defines it (config file, admin API or the tenant's own API). */
export const agentDefinitionSchema = z.strictObject({
  name: agentName,
  model: z.string().min(1).max(200).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE),
  instructions: text(100_000).default(''),
  tools: z.array(toolDefinitionSchema).max(128).default([]),
  /** Agents this one may pass the conversation to (each becomes a `transfer_to_<name>` tool). */
  handoffs: z.array(agentName).max(32).default([]),
  /** JSON Schema of a structured final answer (`output.json`). */
  output_schema: z.record(z.string(), z.unknown()).optional(),
  limits: agentLimitsSchema.default({ max_turns: 10, max_tool_calls: 50, timeout_s: 600 }),
  escalation: escalationSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export type AgentDefinition = z.output<typeof agentDefinitionSchema>;
export type AgentDefinitionInput = z.input<typeof agentDefinitionSchema>;

/** The tool name a handoff to `agent` is offered to the model as. */
export const handoffToolName = (agent: string): string => `transfer_to_${agent}`;
