import { z } from 'zod';
import type { ChatMessage } from '../../core/index.js';

/** A message of a run's input, in the OpenAI chat shape a client sends (text content). */
const inputMessage = z.strictObject({
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.string().max(1_000_000),
});

/** `input` of `POST /v1/agents/{name}/runs`: a string (one user message) or messages. */
export const runInputSchema = z.union([z.string().min(1).max(1_000_000), z.array(inputMessage).min(1).max(1_000)]);
export type RunInput = z.output<typeof runInputSchema>;

/**
 * What an agent run's row holds as input, version 1: who started it (the key it acts for, on whatever
 * replica resumes it) and the conversation it starts from.
 */
export const agentRunInputSchema = z.object({
  v: z.literal(1),
  key_id: z.string().min(1),
  messages: z.array(inputMessage),
  /** The limits of the runs that started this one (a child run counts against each), outermost first. */
  ancestor_budgets: z.array(z.object({ run_id: z.string(), max_cost_usd: z.string() })).default([]),
  /** The workflow that started this run (an agent step), named on its ledger rows. */
  workflow: z.string().optional(),
});
export type AgentRunInput = z.output<typeof agentRunInputSchema>;

/** A person's decision on a tool call waiting for approval. */
const decision = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(4_000).optional(),
  by: z.string().optional(),
  /** What a person filled in (a workflow's form step). */
  values: z.record(z.string(), z.unknown()).optional(),
});

/**
 * An agent run's own state, version 1. Everything else (the conversation, the agent in charge after
 * handoffs, counts) is rebuilt by replaying the run's recorded steps, so the state holds only what no
 * step records: people's decisions on pending tool calls, and the calls still waiting for one.
 */
export const agentRunStateSchema = z.object({
  v: z.literal(1),
  decisions: z.record(z.string(), decision).default({}),
  pending_approvals: z
    .array(
      z.object({
        call_id: z.string(),
        tool: z.string(),
        arguments: z.unknown(),
        /** Where its inbox task goes (a workflow's human step says; an agent's escalation rules otherwise). */
        queue: z.string().optional(),
        priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
      }),
    )
    .default([]),
  /** Time spent paused for people so far, which `timeout_s` does not count; `paused_at`: since when it is paused. */
  paused_ms: z.number().int().nonnegative().default(0),
  paused_at: z.string().optional(),
});
export type AgentRunState = z.output<typeof agentRunStateSchema>;

/** Reads a stored state; states written by older versions are migrated here (none yet: v1 is the first). */
export function loadRunState(raw: unknown): AgentRunState {
  return agentRunStateSchema.parse(raw && typeof raw === 'object' && Object.keys(raw).length > 0 ? raw : { v: 1 });
}

export function toChatMessages(messages: AgentRunInput['messages']): ChatMessage[] {
  return messages.map((message) => ({ role: message.role, content: message.content }));
}
