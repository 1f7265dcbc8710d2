import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { retailDbText, retailPolicy, supportDataDir } from './data.js';

describe('shipped τ² retail data', () => {
  it('is in the package: db.json (500 users, 50 products, 1,000 orders), the policy and the licence', () => {
    const db = JSON.parse(retailDbText()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(db)).toEqual(['products', 'users', 'orders']);
    expect([db.products, db.users, db.orders].map((map) => Object.keys(map ?? {}).length)).toEqual([50, 500, 1000]);
    expect(retailPolicy()).toContain('# Retail agent policy');
    const licence = readFileSync(join(supportDataDir(), 'LICENSE'), 'utf8');
    expect(licence).toContain('sierra-research/tau2-bench');
    expect(licence).toContain('MIT License');
    expect(existsSync(join(supportDataDir(), 'policy.md'))).toBe(true);
  });
});
