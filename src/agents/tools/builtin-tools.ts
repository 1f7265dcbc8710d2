import { Parser, type ParserOptions } from 'expr-eval-fork';
import { type Clock, systemClock } from '../../core/index.js';
import type { AgentTool, ToolOutcome } from './tool.js';
import type { BuiltinToolDefinition, BuiltinToolName } from './tool-definitions.js';

/**
 * The hub's own tools. None has an effect outside the run (transfer_to_human only asks the run loop to hand the
 * run to a person), so all are idempotent whatever the definition says.
 */

export const MAX_EXPRESSION_LENGTH = 1000;

// expr-eval-fork: the expr-eval parser with its prototype-access and code-injection holes closed. Everything that is
// not arithmetic is switched off; what is left evaluates in time linear in the expression, with no loops.
// `array` is an option of the parser that its type declarations omit.
const operators: NonNullable<ParserOptions['operators']> & { array?: boolean } = {
  assignment: false,
  fndef: false,
  array: false,
  in: false,
  concatenate: false,
  random: false,
  length: false,
};
const parser = new Parser({ allowMemberAccess: false, operators });
for (const name of ['random', 'map', 'fold', 'filter', 'indexOf', 'join', 'sum']) delete parser.functions[name];
delete parser.unaryOps.length;

/** Every name an expression may use: the functions and constants left above, read as own keys (never inherited ones). */
const ALLOWED_SYMBOLS = new Set(
  [parser.functions, parser.unaryOps, parser.consts].flatMap((table: Record<string, unknown>) =>
    Object.keys(table).filter((name) => /^[A-Za-z_]\w*$/.test(name)),
  ),
);

/** Evaluates an arithmetic expression; throws an Error whose message is fit for the model. */
export function evaluateExpression(expression: string): number | boolean {
  if (expression.length > MAX_EXPRESSION_LENGTH) throw new Error(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  let parsed: ReturnType<Parser['parse']>;
  try {
    parsed = parser.parse(expression);
  } catch (error) {
    throw new Error(`cannot parse the expression: ${messageOf(error)}`);
  }
  const unknown = parsed.symbols().filter((symbol) => !ALLOWED_SYMBOLS.has(symbol));
  if (unknown.length > 0)
    throw new Error(`unknown name ${unknown.map((name) => JSON.stringify(name)).join(', ')} (variables are not supported)`);
  let value: unknown;
  try {
    value = parsed.evaluate(Object.create(null) as Record<string, never>);
  } catch (error) {
    throw new Error(
      error instanceof RangeError ? 'the expression is nested too deeply' : `cannot evaluate the expression: ${messageOf(error)}`,
    );
  }
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'number') throw new Error('the expression does not evaluate to a number');
  if (!Number.isFinite(value)) throw new Error('the result is not a finite number (division by zero or overflow)');
  return value;
}

function formatNumber(value: number): string {
  // Fifteen significant digits hide binary rounding noise (0.1 + 0.2) without changing any honest result.
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const calculator: AgentTool = {
  spec: {
    name: 'calculator',
    description:
      'Evaluates an arithmetic expression exactly as written: + - * / % ^, parentheses, comparisons, and functions such as sqrt, abs, round, floor, ceil, min, max, log, ln, exp, sin, cos, tan; constants PI and E.',
    parameters: {
      type: 'object',
      properties: {
        expression: { type: 'string', maxLength: MAX_EXPRESSION_LENGTH, description: 'For example "(12.5 * 4) / 3 + sqrt(16)"' },
      },
      required: ['expression'],
      additionalProperties: false,
    },
  },
  approval: 'never',
  idempotent: true,
  invoke(args) {
    const expression = args.expression;
    if (typeof expression !== 'string') return Promise.resolve({ type: 'error', message: 'expression must be a string' });
    try {
      const value = evaluateExpression(expression);
      return Promise.resolve({ type: 'result', content: typeof value === 'boolean' ? String(value) : formatNumber(value) });
    } catch (error) {
      return Promise.resolve({ type: 'error', message: messageOf(error) });
    }
  },
};

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `2025-06-01T14:03:07+02:00` in `timeZone`, and the weekday there. */
export function zonedTime(epochMs: number, timeZone: string): { time: string; weekday: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    weekday: 'long',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((candidate) => candidate.type === type)?.value ?? '';
  const offsetName = part('timeZoneName');
  const offset = offsetName === 'GMT' ? '+00:00' : offsetName.replace(/^GMT/, '');
  return {
    time: `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`,
    weekday: part('weekday'),
  };
}

function currentTime(clock: Clock): AgentTool {
  return {
    spec: {
      name: 'current_time',
      description: 'The current date and time (ISO 8601), in UTC or in the given IANA time zone.',
      parameters: {
        type: 'object',
        properties: { timezone: { type: 'string', maxLength: 64, description: 'An IANA time zone such as "Europe/Paris"; default UTC' } },
        additionalProperties: false,
      },
    },
    approval: 'never',
    idempotent: true,
    invoke(args) {
      const zone = args.timezone ?? 'UTC';
      if (typeof zone !== 'string' || !isValidTimeZone(zone)) {
        return Promise.resolve({
          type: 'error',
          message: `unknown time zone ${JSON.stringify(zone)}; use an IANA name such as "America/New_York"`,
        });
      }
      const now = clock.now();
      const { time, weekday } = zonedTime(now, zone);
      const content = JSON.stringify({ time, timezone: zone, weekday, utc: new Date(now).toISOString() });
      return Promise.resolve({ type: 'result', content });
    },
  };
}

const transferToHuman: AgentTool = {
  spec: {
    name: 'transfer_to_human',
    description:
      'Hands the conversation to a person and ends your turn. Use it when you cannot help further or the user asks for a human. Summarise the case so the person need not reread it.',
    parameters: {
      type: 'object',
      properties: {
        summary: { type: 'string', minLength: 1, maxLength: 4000, description: 'What the user needs and what has been done so far' },
        reason: { type: 'string', maxLength: 1000, description: 'Why a person is needed' },
      },
      required: ['summary'],
      additionalProperties: false,
    },
  },
  approval: 'never',
  idempotent: true,
  invoke(args): Promise<ToolOutcome> {
    const { summary, reason } = args;
    if (typeof summary !== 'string' || summary.trim() === '') return Promise.resolve({ type: 'error', message: 'summary is required' });
    return Promise.resolve(typeof reason === 'string' ? { type: 'handoff', summary, reason } : { type: 'handoff', summary });
  },
};

export interface BuiltinToolOptions {
  clock?: Clock;
}

/** The builtin tool a definition names, with the definition's approval setting. */
export function createBuiltinTool(
  definition: Pick<BuiltinToolDefinition, 'name' | 'approval'>,
  options: BuiltinToolOptions = {},
): AgentTool {
  const tool = builtinTool(definition.name, options);
  return definition.approval === tool.approval ? tool : { ...tool, approval: definition.approval };
}

function builtinTool(name: BuiltinToolName, options: BuiltinToolOptions): AgentTool {
  switch (name) {
    case 'calculator':
      return calculator;
    case 'current_time':
      return currentTime(options.clock ?? systemClock);
    case 'transfer_to_human':
      return transferToHuman;
  }
}
