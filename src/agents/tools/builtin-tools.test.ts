import { describe, expect, it } from 'vitest';
import { createBuiltinTool, evaluateExpression, MAX_EXPRESSION_LENGTH } from './builtin-tools.js';
import type { ToolCallContext } from './tool.js';

const context: ToolCallContext = {
  tenantId: 'ten_1',
  runId: 'run_1',
  callId: 'call_1',
  idempotencyKey: 'run_1:call_1',
  signal: new AbortController().signal,
};

describe('calculator', () => {
  const calculator = createBuiltinTool({ name: 'calculator', approval: 'never' });
  const calculate = (expression: string) => calculator.invoke({ expression }, context);

  it('evaluates arithmetic with precedence, functions and constants', async () => {
    expect(await calculate('(12.5 * 4) / 3 + sqrt(16)')).toEqual({ type: 'result', content: '20.6666666666667' });
    expect(await calculate('2 ^ 10 - 10 % 3')).toEqual({ type: 'result', content: '1023' });
    expect(await calculate('0.1 + 0.2')).toEqual({ type: 'result', content: '0.3' });
    expect(await calculate('round(PI * 100) / 100')).toEqual({ type: 'result', content: '3.14' });
    expect(await calculate('max(3, 7, 2) > 5')).toEqual({ type: 'result', content: 'true' });
    expect(await calculate('-(2 + 3) * 2')).toEqual({ type: 'result', content: '-10' });
  });

  it('refuses division by zero and overflow instead of answering Infinity or NaN', async () => {
    expect(await calculate('1 / 0')).toEqual({ type: 'error', message: expect.stringContaining('division by zero') });
    expect(await calculate('0 / 0')).toEqual({ type: 'error', message: expect.stringContaining('not a finite number') });
    expect(await calculate('10 ^ 400')).toEqual({ type: 'error', message: expect.stringContaining('overflow') });
  });

  it('reaches no globals, prototypes or JavaScript', async () => {
    for (const expression of [
      'process',
      'globalThis',
      'this',
      'constructor',
      '__proto__',
      'toString',
      'valueOf()',
      'x.constructor',
      'Math.PI',
      'require("fs")',
      'f(x) = x',
      'a = 1',
      '[1, 2]',
      'random()',
      '"a" || "b"',
      'eval("1")',
    ]) {
      const outcome = await calculate(expression);
      expect(outcome, expression).toMatchObject({ type: 'error' });
    }
    expect(() => evaluateExpression('"text"')).toThrow('does not evaluate to a number');
  });

  it('bounds the input: over-long and deeply nested expressions fail cleanly', async () => {
    expect(await calculate('1+'.repeat(MAX_EXPRESSION_LENGTH) + '1')).toEqual({
      type: 'error',
      message: `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
    });
    const nested = `${'('.repeat(499)}1${')'.repeat(499)}`;
    const outcome = await calculate(nested);
    expect(outcome.type === 'result' || (outcome.type === 'error' && outcome.message.includes('nested'))).toBe(true);
    expect(await calculate('fac(100000)')).toMatchObject({ type: 'error' });
    expect(await calculate('(1 + 2')).toEqual({ type: 'error', message: expect.stringContaining('cannot parse') });
  });
});

describe('current_time', () => {
  const clock = { now: () => Date.parse('2025-01-15T12:30:45.000Z') };
  const tool = createBuiltinTool({ name: 'current_time', approval: 'never' }, { clock });

  it('answers UTC by default and local time with its offset in an IANA zone', async () => {
    const utc = await tool.invoke({}, context);
    expect(utc.type === 'result' && JSON.parse(utc.content)).toEqual({
      time: '2025-01-15T12:30:45+00:00',
      timezone: 'UTC',
      weekday: 'Wednesday',
      utc: '2025-01-15T12:30:45.000Z',
    });
    const tokyo = await tool.invoke({ timezone: 'Asia/Tokyo' }, context);
    expect(tokyo.type === 'result' && JSON.parse(tokyo.content)).toMatchObject({ time: '2025-01-15T21:30:45+09:00', weekday: 'Wednesday' });
    const kolkata = await tool.invoke({ timezone: 'Asia/Kolkata' }, context);
    expect(kolkata.type === 'result' && JSON.parse(kolkata.content)).toMatchObject({ time: '2025-01-15T18:00:45+05:30' });
  });

  it('refuses an unknown time zone', async () => {
    expect(await tool.invoke({ timezone: 'Mars/Olympus' }, context)).toEqual({
      type: 'error',
      message: expect.stringContaining('unknown time zone "Mars/Olympus"'),
    });
  });
});

describe('transfer_to_human', () => {
  it('hands off with the summary and optional reason, and takes the definition approval', async () => {
    const tool = createBuiltinTool({ name: 'transfer_to_human', approval: 'always' });
    expect(tool.approval).toBe('always');
    expect(tool.idempotent).toBe(true);
    expect(await tool.invoke({ summary: 'Refund for order 42', reason: 'over limit' }, context)).toEqual({
      type: 'handoff',
      summary: 'Refund for order 42',
      reason: 'over limit',
    });
    expect(await tool.invoke({ summary: 'Needs a person' }, context)).toEqual({ type: 'handoff', summary: 'Needs a person' });
    expect(tool.spec.parameters.required).toEqual(['summary']);
  });
});
