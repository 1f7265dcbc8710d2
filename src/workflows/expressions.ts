import { Environment, ParseError } from '@marcbachmann/cel-js';

/**
 * Expressions are CEL (the Common Expression Language: no loops, no I/O, bounded by construction), through
 * `@marcbachmann/cel-js`. Variables: `input` (the run's input), `steps` (`steps.<id>.output`, `.error`,
 * `.status`), and inside bodies `item`, `index` (map) and `iteration` (loop). JSON integers are CEL ints and
 * other numbers doubles, so `input.count + 1` works and `input.total * 2.0` needs the `.0`.
 */
const environment = new Environment({
  unlistedVariablesAreDyn: true,
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
  limits: { maxAstNodes: 2_000, maxDepth: 64, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 16 },
});

const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g;
const WHOLE_TEMPLATE = /^\$\{\{([\s\S]*?)\}\}$/;

export type ExpressionScope = Record<string, unknown>;

/** An expression that did not parse or could not be evaluated; `expression` is its text. */
export class ExpressionError extends Error {
  readonly expression: string;
  constructor(expression: string, message: string) {
    super(message);
    this.name = 'ExpressionError';
    this.expression = expression;
  }
}

type Compiled = (scope: ExpressionScope) => unknown;
const compiled = new Map<string, Compiled>();

function compile(expression: string): Compiled {
  let evaluate = compiled.get(expression);
  if (!evaluate) {
    try {
      evaluate = environment.parse(expression) as unknown as Compiled;
    } catch (error) {
      throw new ExpressionError(expression, firstLine(error));
    }
    if (compiled.size > 5_000) compiled.clear();
    compiled.set(expression, evaluate);
  }
  return evaluate;
}

/** Why an expression does not parse, or undefined when it does (for validation at save time). */
export function expressionProblem(expression: string): string | undefined {
  try {
    compile(expression.trim());
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The value of a CEL expression in a scope, as JSON (ints within 2^53 as numbers). */
export function evaluate(expression: string, scope: ExpressionScope): unknown {
  const run = compile(expression.trim());
  try {
    return toJson(run(toCel(scope) as ExpressionScope));
  } catch (error) {
    throw new ExpressionError(expression, firstLine(error));
  }
}

/** A condition: the expression must give a bool. */
export function holds(expression: string, scope: ExpressionScope): boolean {
  const value = evaluate(expression, scope);
  if (typeof value !== 'boolean') throw new ExpressionError(expression, `must give true or false, gave ${describe(value)}`);
  return value;
}

/** The expressions in a string's templates (`${{ … }}`), in order. */
export function templateExpressions(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((match) => (match[1] ?? '').trim());
}

/**
 * A value with every string's templates filled in: a string that is one whole template takes the
 * expression's value (any JSON type); templates inside a longer string are written as text (objects as JSON).
 */
export function render(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') return renderString(value, scope);
  if (Array.isArray(value)) return value.map((item) => render(item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, render(item, scope)]));
  }
  return value;
}

/** A template string rendered as text. */
export function renderText(text: string, scope: ExpressionScope): string {
  const value = renderString(text, scope);
  return typeof value === 'string' ? value : asText(value);
}

/** Every template expression in a value (for validation). */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return templateExpressions(value);
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(expressionsIn);
  return [];
}

function renderString(text: string, scope: ExpressionScope): unknown {
  const whole = WHOLE_TEMPLATE.exec(text);
  if (whole && !(whole[1] ?? '').includes('}}')) return evaluate(whole[1] ?? '', scope);
  return text.replace(TEMPLATE, (_match, expression: string) => asText(evaluate(expression, scope)));
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** JSON → CEL values: integers become ints (bigint), so integer arithmetic type-checks. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCel(item)]));
  }
  return value;
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') {
    if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(value);
    return value.toString();
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([key, item]) => [String(key), toJson(item)]));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value)}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof ParseError ? `does not parse: ${error.message}` : ((error as Error)?.message ?? String(error));
  return message.split('\n')[0] ?? message;
}
