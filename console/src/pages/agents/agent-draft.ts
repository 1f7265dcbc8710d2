import type { AgentDefinition, AgentToolDefinition } from '@contract';
import { parseDocument, stringify } from 'yaml';

/**
 * An agent definition as the edit form holds it: text fields as typed (the hub validates and answers a
 * 400 naming the field), tools as a list, and every field the form does not show kept as it was.
 */
export interface AgentDraft {
  name: string;
  model: string;
  instructions: string;
  tools: AgentToolDefinition[];
  /** Comma-separated agent names. */
  handoffs: string;
  maxTurns: string;
  maxToolCalls: string;
  /** Decimal USD as typed: money never passes through a float. */
  maxCostUsd: string;
  timeoutS: string;
  /** `output_schema`, `escalation`, `metadata` and anything else: edited in YAML, kept by the form. */
  rest: Record<string, unknown>;
}

export const emptyDraft = (): AgentDraft => ({
  name: '',
  model: '',
  instructions: '',
  tools: [],
  handoffs: '',
  maxTurns: '',
  maxToolCalls: '',
  maxCostUsd: '',
  timeoutS: '',
  rest: {},
});

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

export function draftOf(definition: AgentDefinition): AgentDraft {
  const { name, model, instructions, tools, handoffs, limits, ...rest } = definition;
  return {
    name,
    model,
    instructions: instructions ?? '',
    tools: (tools ?? []).map((tool) => ({ ...tool })),
    handoffs: (handoffs ?? []).join(', '),
    maxTurns: text(limits?.max_turns),
    maxToolCalls: text(limits?.max_tool_calls),
    maxCostUsd: text(limits?.max_cost_usd),
    timeoutS: text(limits?.timeout_s),
    rest,
  };
}

/** A whole number typed in a limit field; anything else goes to the hub as typed, which names the field in its 400. */
function limit(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export function definitionOfDraft(draft: AgentDraft): AgentDefinition {
  const limits = {
    ...(limit(draft.maxTurns) !== undefined ? { max_turns: limit(draft.maxTurns) } : {}),
    ...(limit(draft.maxToolCalls) !== undefined ? { max_tool_calls: limit(draft.maxToolCalls) } : {}),
    ...(draft.maxCostUsd.trim() !== '' ? { max_cost_usd: draft.maxCostUsd.trim() } : {}),
    ...(limit(draft.timeoutS) !== undefined ? { timeout_s: limit(draft.timeoutS) } : {}),
  } as AgentDefinition['limits'];
  const handoffs = draft.handoffs
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return {
    ...draft.rest,
    name: draft.name.trim(),
    model: draft.model.trim(),
    instructions: draft.instructions,
    tools: draft.tools,
    ...(handoffs.length > 0 ? { handoffs } : {}),
    ...(limits && Object.keys(limits).length > 0 ? { limits } : {}),
  };
}

/** The definition as YAML, in the order a person reads it. */
export function yamlOf(definition: AgentDefinition): string {
  const { name, model, instructions, tools, handoffs, limits, ...rest } = definition;
  const ordered = { name, model, instructions, tools, handoffs, limits, ...rest };
  const present = Object.fromEntries(Object.entries(ordered).filter(([, value]) => value !== undefined));
  return stringify(present, { lineWidth: 0 });
}

export type YamlParse = { ok: true; definition: AgentDefinition } | { ok: false; message: string; line: number | null; column: number | null };

/** Parses the YAML editor's text; a syntax error says where it is, a document that is no mapping says so. */
export function parseYaml(source: string): YamlParse {
  const document = parseDocument(source);
  const error = document.errors[0];
  if (error) {
    const position = error.linePos?.[0];
    // The message's first line, without the position (shown on its own) or the code frame under it.
    const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, message, line: position?.line ?? null, column: position?.col ?? null };
  }
  const value: unknown = document.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'not-a-mapping', line: null, column: null };
  return { ok: true, definition: value as AgentDefinition };
}
