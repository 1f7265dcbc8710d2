/**
 * The console's message catalogues: English and Simplified Chinese hold the same keys in every namespace,
 * no message is empty, and no component carries literal UI text (text nodes or string aria-label, title,
 * placeholder, alt attributes in JSX) — every string comes from a catalogue.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CONSOLE_SRC = join(process.cwd(), 'console', 'src');
const LOCALES = join(CONSOLE_SRC, 'locales');

type Catalogue = { [key: string]: string | Catalogue };

function keysOf(catalogue: Catalogue, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keysOf(value, `${prefix}${key}.`),
  );
}

function valuesOf(catalogue: Catalogue): string[] {
  return Object.values(catalogue).flatMap((value) => (typeof value === 'string' ? [value] : valuesOf(value)));
}

const read = (language: string, file: string): Catalogue => JSON.parse(readFileSync(join(LOCALES, language, file), 'utf8')) as Catalogue;

describe('the console message catalogues', () => {
  const namespaces = readdirSync(join(LOCALES, 'en')).filter((file) => file.endsWith('.json'));

  it('has the same namespaces in English and Chinese', () => {
    expect(
      readdirSync(join(LOCALES, 'zh'))
        .filter((file) => file.endsWith('.json'))
        .sort(),
    ).toEqual([...namespaces].sort());
    expect(namespaces.length).toBeGreaterThanOrEqual(13);
  });

  it.each(namespaces)('%s: the same keys in both languages, none empty, the Chinese one translated', (file) => {
    const en = read('en', file);
    const zh = read('zh', file);
    expect(keysOf(zh).sort(), `zh/${file}`).toEqual(keysOf(en).sort());
    for (const value of [...valuesOf(en), ...valuesOf(zh)]) expect(value.trim(), file).not.toBe('');
    // A catalogue copied without translating: most of its messages would hold no CJK character.
    const chinese = valuesOf(zh).filter((value) => /[\u4e00-\u9fff]/.test(value)).length;
    expect(chinese / valuesOf(zh).length, `zh/${file} looks untranslated`).toBeGreaterThan(0.5);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'locales' ? [] : sourceFiles(path);
    return entry.name.endsWith('.tsx') ? [path] : [];
  });
}

/** Literal text between JSX tags (`>Save<`) and string-valued user-facing attributes (`aria-label="Close"`). */
function literalTexts(source: string): string[] {
  const withoutComments = source.replace(/\{\/\*[\s\S]*?\*\/\}/g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  // `>text<` where `>` ends a JSX tag (not an arrow `=>`) and `<` opens the next tag or closes this one.
  for (const match of withoutComments.matchAll(/(?<![=-])>([^<>{}]+)<(?=[/A-Za-z])/g)) {
    const text = (match[1] ?? '').trim();
    if (/[A-Za-z\u4e00-\u9fff]/.test(text) && !/[;=()]/.test(text)) found.push(text);
  }
  for (const match of withoutComments.matchAll(
    /\b(?:aria-label|title|placeholder|alt|aria-description)="([^"]*[A-Za-z\u4e00-\u9fff][^"]*)"/g,
  )) {
    found.push(match[1] ?? '');
  }
  return found;
}

describe('the console components', () => {
  it('carry no literal UI text: every string comes from a catalogue', () => {
    const offenders = sourceFiles(CONSOLE_SRC).flatMap((file) =>
      literalTexts(readFileSync(file, 'utf8')).map((text) => `${relative(CONSOLE_SRC, file)}: ${JSON.stringify(text)}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the scanner finds literal text when there is some', () => {
    expect(literalTexts('<button type="button">Save changes</button>')).toEqual(['Save changes']);
    expect(literalTexts('<input aria-label="Search keys" />')).toEqual(['Search keys']);
    expect(literalTexts("<button>{t('save')}</button>")).toEqual([]);
    expect(literalTexts('const x = new Map<string, number>();')).toEqual([]);
  });
});
