/**
 * CEL expressions and `${{ }}` templates as steps use them: a whole template keeps its value's type, an
 * embedded one becomes text; JSON integers are CEL ints and other numbers doubles; conditions must give a
 * bool; expressions that do not parse, or pass the limits, are refused with the reason.
 */
import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  evaluate,
  expressionProblem,
  expressionsIn,
  holds,
  render,
  renderText,
  templateExpressions,
} from './expressions.js';

const scope = {
  input: { count: 2, total: 1.5, name: 'Ann', list: [1, 2, 3], order: { id: 'o-1', lines: 2 }, none: null },
  steps: { triage: { status: 'completed', output: { text: 'refund please' }, error: null } },
  item: { sku: 'A7' },
  index: 0,
};

/** The ExpressionError a call throws. */
function expressionError(call: () => unknown): ExpressionError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('no error');
}

describe('templates', () => {
  it('give a whole template the value of its expression, with its JSON type', () => {
    expect(render('${{ input.count }}', scope)).toBe(2);
    expect(render('${{ input.total }}', scope)).toBe(1.5);
    expect(render('${{input.order}}', scope)).toEqual({ id: 'o-1', lines: 2 });
    expect(render('${{ input.list }}', scope)).toEqual([1, 2, 3]);
    expect(render('${{ input.count > 1 }}', scope)).toBe(true);
    expect(render('${{ input.none }}', scope)).toBeNull();
    expect(render('  ${{ input.name }}', scope)).toBe('  Ann');
  });

  it('write embedded templates as text: objects as JSON, null as nothing', () => {
    expect(render('Order ${{ input.order.id }} has ${{ input.order.lines }} lines', scope)).toBe('Order o-1 has 2 lines');
    expect(render('order: ${{ input.order }}; none: [${{ input.none }}]', scope)).toBe('order: {"id":"o-1","lines":2}; none: []');
    expect(render('${{ input.count }}${{ input.count }}', scope)).toBe('22');
    expect(render('no templates here', scope)).toBe('no templates here');
  });

  it('fill in every string of a value, leaving other values as they are', () => {
    expect(
      render({ sku: '${{ item.sku }}', at: ['#${{ index }}', 3, true, null], deep: { text: '${{ steps.triage.output.text }}' } }, scope),
    ).toEqual({ sku: 'A7', at: ['#0', 3, true, null], deep: { text: 'refund please' } });
  });

  it('render a whole template as text when text is wanted', () => {
    expect(renderText('${{ input.order }}', scope)).toBe('{"id":"o-1","lines":2}');
    expect(renderText('${{ input.count }}', scope)).toBe('2');
    expect(renderText('${{ input.none }}', scope)).toBe('');
  });

  it('list the expressions of a value, trimmed, in order', () => {
    expect(templateExpressions('a ${{ input.x }} b ${{steps.y.output}}')).toEqual(['input.x', 'steps.y.output']);
    expect(expressionsIn({ a: ['${{ one }}', { b: 'x ${{ two }}' }], c: 3, d: null })).toEqual(['one', 'two']);
    expect(expressionsIn(42)).toEqual([]);
  });
});

describe('numbers', () => {
  it('read JSON integers as ints and other numbers as doubles', () => {
    expect(evaluate('input.count + 1', scope)).toBe(3);
    expect(evaluate('input.count / 2', scope)).toBe(1);
    expect(evaluate('input.total * 2.0', scope)).toBe(3);
    expect(evaluate('double(input.count) * input.total', scope)).toBe(3);
    expect(expressionError(() => evaluate('input.total * 2', scope)).message).toMatch(/no such overload/);
    expect(expressionError(() => evaluate('input.count * 2.0', scope)).message).toMatch(/no such overload/);
  });

  it('give ints beyond 2^53 as decimal strings, so no digit is lost', () => {
    expect(evaluate('input.big + 1', { input: { big: Number.MAX_SAFE_INTEGER - 1 } })).toBe(Number.MAX_SAFE_INTEGER);
    expect(evaluate('input.big + 1', { input: { big: Number.MAX_SAFE_INTEGER } })).toBe('9007199254740992');
    expect(evaluate('-9007199254740993', {})).toBe('-9007199254740993');
  });

  it('give a double that is not finite as null', () => {
    expect(evaluate('1.0 / 0.0', {})).toBeNull();
  });
});

describe('values', () => {
  it('give maps, lists, bytes and timestamps as JSON', () => {
    expect(evaluate("{'ids': input.list, 'name': input.name}", scope)).toEqual({ ids: [1, 2, 3], name: 'Ann' });
    expect(evaluate("[1, 'a', null]", scope)).toEqual([1, 'a', null]);
    expect(evaluate("b'hi'", scope)).toBe('aGk=');
    expect(evaluate("timestamp('2025-01-01T00:00:00Z')", scope)).toBe('2025-01-01T00:00:00.000Z');
  });

  it('read optional fields with a default', () => {
    expect(evaluate('input.?missing.orValue(3)', scope)).toBe(3);
    expect(evaluate("steps.triage.output.text.contains('refund')", scope)).toBe(true);
  });

  it('refuse a missing field with the expression named', () => {
    const error = expressionError(() => evaluate('input.missing', scope));
    expect(error.message).toMatch(/No such key: missing/);
    expect(error.expression).toBe('input.missing');
  });
});

describe('conditions', () => {
  it('hold when the expression gives true', () => {
    expect(holds('input.count == 2', scope)).toBe(true);
    expect(holds("input.name.startsWith('B')", scope)).toBe(false);
  });

  it.each([
    ['1', 'number 1'],
    ["'yes'", 'string "yes"'],
    ['input.list', 'a list'],
    ['input.order', 'a map'],
    ['input.none', 'null'],
  ])('refuse %s, which is not a bool', (expression, gave) => {
    const error = expressionError(() => holds(expression, scope));
    expect(error.message).toBe(`must give true or false, gave ${gave}`);
    expect(error.expression).toBe(expression);
  });
});

describe('parse errors and limits', () => {
  it('say why an expression does not parse, and nothing for one that does', () => {
    expect(expressionProblem('input.count + 1')).toBeUndefined();
    expect(expressionProblem('input.')).toMatch(/^does not parse: /);
    expect(expressionProblem('input.count +')).toMatch(/^does not parse: /);
    expect(expressionProblem("'unclosed")).toMatch(/^does not parse: /);
    const error = expressionError(() => evaluate('input.', scope));
    expect([error.expression, error.message]).toEqual(['input.', expressionProblem('input.')]);
  });

  it.each([
    ['a list literal of 1,001 items', `[${Array(1_001).fill('1').join(', ')}]`, 'maxListElements (1000)'],
    // Each entry is two nodes at least, so the node limit refuses a map before its entry limit could.
    ['a map literal of 1,001 entries', `{${Array.from({ length: 1_001 }, (_, key) => `'k${key}': 1`).join(', ')}}`, 'maxAstNodes (2000)'],
    ['an expression of 2,500 nodes', Array(1_250).fill('1').join(' + '), 'maxAstNodes (2000)'],
    ['parentheses 100 deep', `${'('.repeat(100)}1${')'.repeat(100)}`, 'maxDepth (64)'],
    ['a call with 20 arguments', `size(${Array(20).fill('1').join(', ')})`, 'maxCallArguments (16)'],
  ])('refuse %s', (_name, expression, limit) => {
    expect(expressionProblem(expression)).toBe(`does not parse: Exceeded ${limit}`);
  });

  it('take what is just within the limits', () => {
    expect(evaluate(`size([${Array(1_000).fill('1').join(', ')}])`, {})).toBe(1_000);
    expect(evaluate(`${'('.repeat(30)}1${')'.repeat(30)}`, {})).toBe(1);
  });
});
