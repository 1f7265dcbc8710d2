import { describe, expect, it } from 'vitest';
import { HubError } from '../../../core/index.js';
import { parseCsv } from './csv.js';
import { catalogueJsonText, generateCatalogue } from './generator.js';
import { catalogueCsv, importCatalogue, parseCatalogue } from './import.js';

describe('the CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF', () => {
    const records = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,,3\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\nlines'] },
      { line: 5, fields: ['1', '', '3'] },
    ]);
  });

  it('refuses a quote left open or text after a closing quote', () => {
    expect(() => parseCsv('a\n"open')).toThrow(/line 2: a quoted field is not closed/);
    expect(() => parseCsv('"a"b')).toThrow(/closing quote/);
  });
});

describe('catalogue import', () => {
  const suppliers = generateCatalogue({ seed: 3, count: 40 });

  it('reads back the generator’s JSON and CSV exactly', () => {
    expect(importCatalogue(catalogueJsonText(suppliers), 'json')).toEqual(suppliers);
    expect(importCatalogue(catalogueCsv(suppliers), 'csv')).toEqual(suppliers);
  });

  it('fills defaults and pads fewer than three price tiers with the last', () => {
    const csv =
      'id,name_en,category,products,moq,tier1_unit_price_cents,lead_days,certifications\nf1,Acme Ltd,packaging,box; mailer,1000,45,14,FSC;ISO 9001\n';
    const [only] = importCatalogue(csv, 'csv');
    expect(only).toMatchObject({
      id: 'f1',
      products: ['box', 'mailer'],
      certifications: ['FSC', 'ISO 9001'],
      nameZh: '',
      exportMarkets: [],
      priceTiers: [
        { minQuantity: 1000, unitPriceCents: 45 },
        { minQuantity: 1000, unitPriceCents: 45 },
        { minQuantity: 1000, unitPriceCents: 45 },
      ],
    });
  });

  it('names the row and field of every problem, and answers the 400 invalid_catalogue', () => {
    const csv = [
      'id,name_en,category,products,moq,tier1_unit_price_cents,tier2_min_quantity,tier2_unit_price_cents,lead_days',
      'ok,Good Co,toys,plush toy,100,200,500,180,20',
      'bad1,Bad Co,toys,plush toy,lots,200,,,20',
      'ok,Twin Co,toys,plush toy,100,200,,,20',
      'bad2,Tier Co,toys,plush toy,100,200,50,180,20',
    ].join('\n');
    const { problems } = parseCatalogue(csv, 'csv');
    expect(problems).toEqual([
      { row: 2, field: 'moq', message: expect.stringMatching(/number/) },
      { row: 3, field: 'id', message: 'repeats the id of row 1' },
      { row: 4, field: 'price_tiers.1.min_quantity', message: 'must be above the tier before' },
    ]);
    try {
      importCatalogue(csv, 'csv');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HubError);
      const hub = error as HubError;
      expect(hub.spec.status).toBe(400);
      expect(hub.details).toMatchObject({ code: 'invalid_catalogue', param: 'rows[2].moq' });
      expect(hub.message).toMatch(/^The catalogue has 3 problems: row 2, moq: .*; row 3, id: repeats the id of row 1; row 4, price_tiers/);
    }
  });

  it('refuses unknown or missing columns and ragged rows', () => {
    expect(parseCatalogue('id,name_en,colour\n', 'csv').problems.map((problem) => problem.field)).toEqual([
      'colour',
      'category',
      'products',
      'moq',
      'tier1_unit_price_cents',
      'lead_days',
    ]);
    const ragged = parseCatalogue('id,name_en,category,products,moq,tier1_unit_price_cents,lead_days\na,b,c\n', 'csv');
    expect(ragged.problems).toEqual([{ row: 1, field: '', message: 'has 3 fields, the header 7 (line 2)' }]);
    expect(parseCatalogue('{"suppliers": [{"id": "x"}]}', 'json').problems.map((problem) => problem.field)).toContain('name_en');
    expect(parseCatalogue('nope', 'json').problems[0]?.message).toMatch(/^not JSON/);
  });
});
