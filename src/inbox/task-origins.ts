import type { EscalationRules } from '../agents/index.js';
import { newId } from '../core/index.js';
import type { InboxTaskPriority, NewInboxTask, RunRecord } from '../storage/index.js';

/** Minutes to the SLA by priority, when the agent's rules set none. */
const DEFAULT_SLA_MINUTES: Record<InboxTaskPriority, number> = { urgent: 15, high: 60, normal: 240, low: 1_440 };

export interface Placement {
  queue: string;
  priority: InboxTaskPriority;
  skills: string[];
  dueAt: Date;
}

/** Where an agent's tasks go and when they are due, from its escalation rules. */
export function placementOf(rules: EscalationRules | undefined, now: Date): Placement {
  const priority = rules?.priority ?? 'normal';
  const minutes = rules?.sla_minutes ?? DEFAULT_SLA_MINUTES[priority];
  return { queue: rules?.queue ?? 'default', priority, skills: rules?.skills ?? [], dueAt: new Date(now.getTime() + minutes * 60_000) };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const firstLine = (text: string, max = 120): string => {
  const line =
    text
      .split('\n')
      .find((candidate) => candidate.trim().length > 0)
      ?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** The hand-off a run asks for (it handed off, needs attention, or ran out of budget under a rule), or none. */
export function handoffOf(run: RunRecord, placement: Placement): NewInboxTask | undefined {
  const output = isRecord(run.output) ? run.output : {};
  const handoff = isRecord(output.handoff) ? output.handoff : undefined;
  const error = isRecord(run.error) ? run.error : {};
  let reason: string;
  let summary: string;
  if (run.status === 'handed_off') {
    reason = typeof handoff?.reason === 'string' ? handoff.reason : 'transfer_to_human';
    summary = typeof handoff?.summary === 'string' ? handoff.summary : '';
  } else if (run.status === 'needs_attention') {
    reason = 'needs_attention';
    summary = `The run stopped for a person: ${typeof error.message === 'string' ? error.message : 'a side effect may or may not have happened.'}`;
  } else if (run.status === 'budget_exceeded' && handoff) {
    reason = 'budget_exhausted';
    summary = typeof handoff.summary === 'string' ? handoff.summary : 'The run ran out of budget.';
  } else {
    return undefined;
  }
  return {
    id: newId('tsk'),
    origin: `run:${run.id}`,
    kind: 'handoff',
    reason,
    ...placement,
    subject: firstLine(summary) || `Conversation with ${run.subject}`,
    summary: summary || `Agent ${run.subject} handed the conversation to a person.`,
    agent: run.subject,
    threadId: run.threadId,
    runId: run.id,
    callId: null,
    callName: null,
    callArguments: null,
  };
}

interface PendingCall {
  call_id: string;
  tool: string;
  arguments: unknown;
  queue?: string;
  priority?: InboxTaskPriority;
}

/** A workflow's human step (`human:<step>`) asks in its own words; an agent's tool call is described. */
function describeCall(run: RunRecord, call: PendingCall): { subject: string; summary: string } {
  const asked = isRecord(call.arguments) ? call.arguments : {};
  if (call.tool.startsWith('human:') && typeof asked.title === 'string') {
    const instructions = typeof asked.instructions === 'string' ? asked.instructions : '';
    return { subject: firstLine(asked.title), summary: instructions || asked.title };
  }
  return {
    subject: `Approve ${call.tool}`,
    summary: `Agent ${run.subject} wants to call \`${call.tool}\` with ${JSON.stringify(call.arguments).slice(0, 2_000)}.`,
  };
}

/** One approval task per call a run waits on. */
export function approvalsOf(run: RunRecord, pending: readonly PendingCall[], placement: Placement): NewInboxTask[] {
  return pending.map((call) => ({
    id: newId('tsk'),
    origin: `call:${run.id}:${call.call_id}`,
    kind: 'approval',
    reason: 'approval',
    ...placement,
    ...(call.queue ? { queue: call.queue } : {}),
    ...(call.priority ? { priority: call.priority } : {}),
    ...describeCall(run, call),
    agent: run.subject,
    threadId: run.threadId,
    runId: run.id,
    callId: call.call_id,
    callName: call.tool,
    callArguments: call.arguments,
  }));
}
