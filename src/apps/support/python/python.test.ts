import { describe, expect, it } from 'vitest';
import { evaluateArithmetic, PythonError } from './expression.js';
import { PyDict, pyDumps } from './json.js';
import { pyFloatRepr, pyRound } from './numbers.js';

describe('Python semantics', () => {
  it('repr of floats', () => {
    expect([100, 0.1, 41.91999999999996, 1e16, 1.5e-5, -0, 123.0].map(pyFloatRepr)).toEqual([
      '100.0',
      '0.1',
      '41.91999999999996',
      '1e+16',
      '1.5e-05',
      '-0.0',
      '123.0',
    ]);
  });

  it('round(x, 2): exact value, ties to even', () => {
    expect([0.125, 0.375, 2.675, 1.005, -0.125, 8276.229999999, 41.91999999999996].map((value) => pyRound(value, 2))).toEqual([
      0.12, 0.38, 2.67, 1, -0.12, 8276.23, 41.92,
    ]);
  });

  it('json.dumps: separators, ensure_ascii, float numbers, sort_keys, member order kept', () => {
    expect(pyDumps({ b: [1, 2.5], a: 'é"\n', c: null })).toBe('{"b": [1.0, 2.5], "a": "\\u00e9\\"\\n", "c": null}');
    expect(pyDumps({ b: 1, a: true }, { sortKeys: true })).toBe('{"a": true, "b": 1.0}');
    expect(
      pyDumps(
        new PyDict([
          ['2', 1],
          ['1', 2],
        ]),
      ),
    ).toBe('{"2": 1.0, "1": 2.0}');
  });

  it('eval of arithmetic: precedence, int and float, errors', () => {
    expect(evaluateArithmetic('2 ** 3 ** 2')).toBe(512);
    expect(evaluateArithmetic('-2 ** 2')).toBe(-4);
    expect(evaluateArithmetic('2 ** -1')).toBe(0.5);
    expect(evaluateArithmetic('-7 // 2')).toBe(-4);
    expect(evaluateArithmetic('7 / 2')).toBe(3.5);
    expect(evaluateArithmetic('(.5 + 1.) * 2')).toBe(3);
    expect(() => evaluateArithmetic('1 2')).toThrow(new PythonError('invalid syntax (<string>, line 1)'));
    expect(() => evaluateArithmetic('1)')).toThrow("unmatched ')'");
    expect(() => evaluateArithmetic('2 (3)')).toThrow("'int' object is not callable");
    expect(() => evaluateArithmetic('()')).toThrow("not 'tuple'");
    expect(() => evaluateArithmetic('012')).toThrow('leading zeros');
    expect(() => evaluateArithmetic('1 // 0')).toThrow('integer division or modulo by zero');
  });
});
