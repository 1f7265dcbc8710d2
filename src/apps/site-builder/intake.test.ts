import { describe, expect, it } from 'vitest';
import { mergeAnswers, readIntake, type SiteIntake, slugOf } from './intake.js';

describe('site intake', () => {
  it('fills in defaults: both languages, a tone, colours, a slug from the name', () => {
    const outcome = readIntake({
      business_name: 'Lotus Tea House',
      offering: 'Loose-leaf tea',
      location: 'Soho, London',
      contact: { email: 'hi@lotus.example' },
    });
    expect(outcome).toEqual({
      ok: true,
      missing: [],
      intake: {
        business_name: 'Lotus Tea House',
        offering: 'Loose-leaf tea',
        location: 'Soho, London',
        contact: { email: 'hi@lotus.example' },
        tone: 'friendly',
        colours: { primary: '#1f5f8b', accent: '#b3541e' },
        languages: ['en', 'zh'],
        slug: 'lotus-tea-house',
      },
    });
  });

  it('lists what is missing, with the question in English and Chinese', () => {
    const outcome = readIntake({ business_name: '莲花茶馆' });
    if (!outcome.ok) throw new Error('refused');
    expect(outcome.intake.slug).toBe('site');
    expect(outcome.missing.map((answer) => answer.field)).toEqual(['offering', 'location', 'contact']);
    expect(outcome.missing[0]?.question.zh).toContain('产品');
  });

  it('refuses a form without a name, a bad colour or an unknown language, naming the field', () => {
    const outcome = readIntake({ business_name: ' ', colours: { primary: 'red' }, languages: ['fr'] });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems.map((problem) => problem.path).sort()).toEqual(['business_name', 'colours.primary', 'languages.0']);
  });

  it('makes slugs from Latin names with accents and punctuation', () => {
    expect(slugOf('Café Ünïcorn — Bakery & Co.')).toBe('cafe-unicorn-bakery-co');
    expect(readIntake({ business_name: 'X', slug: 'Bad Slug' }).ok).toBe(false);
  });

  it("merges the owner's answers into what was missing only; a skipped or unusable answer stays missing", () => {
    const read = readIntake({ business_name: 'Lotus Tea House', location: 'Soho, London' });
    if (!read.ok) throw new Error('the form should read');
    const intake: SiteIntake = read.intake;
    const merged = mergeAnswers(intake, {
      offering: { approved: true, values: { offering: '  Loose-leaf tea  ' } },
      location: { approved: true, values: { location: 'Somewhere else' } },
      contact: { approved: true, values: { email: 'nope', phone: null, address: '12 Greek Street' } },
    });
    expect(merged.intake).toMatchObject({ offering: 'Loose-leaf tea', location: 'Soho, London', contact: { address: '12 Greek Street' } });
    expect(merged.intake.contact.email).toBeUndefined();
    expect([merged.answered, merged.skipped, merged.missing]).toEqual([['offering', 'contact'], [], []]);
    expect(merged.ignored).toEqual([{ field: 'contact.email', message: expect.any(String) }]);

    const skipped = mergeAnswers(intake, { offering: { approved: false, values: {} }, contact: null });
    expect([skipped.answered, skipped.skipped, skipped.missing.map((missing) => missing.field)]).toEqual([
      [],
      ['offering'],
      ['offering', 'contact'],
    ]);
  });
});
