import { describe, expect, it } from 'vitest';
import {
  exactDecimalOf,
  MAX_BUDGET_USD,
  MAX_PRICE_USD_PER_MTOK,
  PRICE_DECIMALS,
  USD_DECIMALS,
  usdAmountProblem,
  usdToPicos,
} from './money.js';

// As a JSON body holds it: a literal would lose the digits before the code under test sees them.
const NOISY = JSON.parse('123456789.123456789') as number;

describe('exactDecimalOf', () => {
  it('gives the decimal a number was written as, in plain notation', () => {
    expect(exactDecimalOf(12.5)).toBe('12.5');
    expect(exactDecimalOf(0.15)).toBe('0.15');
    expect(exactDecimalOf(1e-7)).toBe('0.0000001');
    expect(exactDecimalOf(1.5e-6)).toBe('0.0000015');
    expect(exactDecimalOf(1e21)).toBe('1000000000000000000000');
    expect(exactDecimalOf(-2.25)).toBe('-2.25');
    expect(exactDecimalOf(0)).toBe('0');
  });

  it('refuses numbers that do not say which decimal was meant', () => {
    // 123456789.123456789 parses to the double printed as 123456789.12345679; toFixed(12) says 123456789.123456791043.
    expect(exactDecimalOf(NOISY)).toBeUndefined();
    expect(exactDecimalOf(0.1 + 0.2)).toBeUndefined();
    expect(exactDecimalOf(2 ** 53)).toBeUndefined();
    expect(exactDecimalOf(Number.NaN)).toBeUndefined();
    expect(exactDecimalOf(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('usdToPicos', () => {
  it('converts strings and exact numbers alike, and refuses noisy numbers', () => {
    expect(usdToPicos('123456789.123456789')).toBe(123456789123456789000n);
    expect(usdToPicos(0.15)).toBe(usdToPicos('0.15'));
    expect(usdToPicos(1e-7)).toBe(100000n);
    expect(() => usdToPicos(NOISY)).toThrow(/send it as a decimal string/);
  });
});

describe('usdAmountProblem', () => {
  const budget = { decimals: USD_DECIMALS, max: MAX_BUDGET_USD };
  const price = { decimals: PRICE_DECIMALS, max: MAX_PRICE_USD_PER_MTOK };

  it('takes amounts up to and including the bound', () => {
    for (const value of ['0', '0.000000000001', '1000000000000', 1e12, 12.5])
      expect(usdAmountProblem(value, budget), String(value)).toBeUndefined();
    for (const value of ['1000000', 1_000_000, '0.000001', 0.15]) expect(usdAmountProblem(value, price), String(value)).toBeUndefined();
  });

  it('says what is wrong with the rest', () => {
    expect(usdAmountProblem(1e21, price)).toBe('must be at most 1000000');
    expect(usdAmountProblem(1e308, price)).toBe('must be at most 1000000');
    expect(usdAmountProblem('1.0000001', price)).toBe('must have at most 6 decimals');
    expect(usdAmountProblem('1000000.000001', price)).toBe('must be at most 1000000');
    expect(usdAmountProblem('1000000000000.000000000001', budget)).toBe('must be at most 1000000000000');
    expect(usdAmountProblem(-1, budget)).toMatch(/non-negative decimal/);
    expect(usdAmountProblem('1e3', budget)).toMatch(/non-negative decimal/);
    expect(usdAmountProblem(' 1', budget)).toMatch(/non-negative decimal/);
    expect(usdAmountProblem(NOISY, budget)).toMatch(/JSON number 123456789\.12345679 .*decimal string/);
  });
});
