import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSite } from './checks.js';
import { demoSiteFiles } from './demo-site.js';

const CHROMIUM = process.env.TOKENHUB_CHROMIUM ?? '/usr/bin/chromium';
const withChromium = existsSync(CHROMIUM) ? it : it.skip;
const statuses = (report: Awaited<ReturnType<typeof checkSite>>) =>
  Object.fromEntries(report.checks.map((check) => [check.check, check.status]));

describe('site checks', () => {
  it('pass a valid, described, bilingual site; axe is reported not run when Chromium is off', async () => {
    const report = await checkSite(demoSiteFiles(), { chromium: false });
    expect(report.summary).toContain('axe-core was not run');
    expect(statuses(report)).toEqual({ html: 'passed', metadata: 'passed', external: 'passed', axe: 'not_run' });
    expect(report.ok).toBe(true);
    expect(report.pages).toEqual(['index.html', 'zh/index.html']);
    // A hub that requires axe does not publish without it.
    expect((await checkSite(demoSiteFiles(), { chromium: false, requireAxe: true })).ok).toBe(false);
    expect((await checkSite(demoSiteFiles(), { chromium: '/nonexistent/chromium' })).checks[3]?.note).toBe(
      'axe-core was not run: no Chromium at /nonexistent/chromium.',
    );
  });

  it('name the file, the rule and the line of a missing alt text', async () => {
    const report = await checkSite(demoSiteFiles({ withoutAlt: true }), { chromium: false });
    expect(report.ok).toBe(false);
    expect(report.summary).toContain('index.html:12 [wcag/h37]');
    expect(report.checks.find((check) => check.check === 'metadata')?.problems.map((problem) => `${problem.file} ${problem.rule}`)).toEqual(
      ['index.html img-alt', 'zh/index.html img-alt'],
    );
  });

  it('refuse a page that links a stylesheet or image the site does not have', async () => {
    const files = demoSiteFiles();
    delete files['site.css'];
    const report = await checkSite(files, { chromium: false });
    expect(report.ok).toBe(false);
    expect(report.summary).toContain('index.html [missing-file] <link> points at `site.css`');
    expect(report.summary).toContain('zh/index.html [missing-file] <link> points at `../site.css`');
  });

  it('refuse missing title, description and lang, scripts, external styles, fonts and images', async () => {
    const files = {
      'index.html': `<!DOCTYPE html><html><head><meta charset="utf-8"><title> </title>
<link rel="stylesheet" href="https://cdn.example/x.css"></head>
<body><main><h1>Hi</h1><img src="//img.example/a.png" alt="a"><script src="app.js"></script></main></body></html>`,
      'site.css':
        '@import "https://fonts.example/a.css"; @font-face { font-family: X; src: url(x.woff2); } body { background: url("data:image/svg+xml,<svg/>"); }',
    };
    const report = await checkSite(files, { chromium: false });
    expect(report.ok).toBe(false);
    const rules = report.checks.flatMap((check) => check.problems.map((problem) => `${check.check}:${problem.rule}`));
    expect(rules).toEqual(
      expect.arrayContaining(['metadata:lang', 'metadata:title', 'metadata:description', 'external:no-script', 'external:no-fonts']),
    );
    expect(report.summary).toContain('<link href="https://cdn.example/x.css"> loads from outside the site.');
    expect(report.summary).toContain('<img src="//img.example/a.png"> loads from outside the site.');
    expect(report.summary).toContain('`https://fonts.example/a.css` loads from outside the site.');
    expect(report.summary).not.toContain('data:image');
  });

  withChromium(
    'run axe-core in Chromium: the demo site passes, a page with unlabelled contrast failures does not',
    { timeout: 60_000 },
    async () => {
      const good = await checkSite(demoSiteFiles(), { chromium: CHROMIUM });
      expect(statuses(good).axe, good.summary).toBe('passed');
      const bad = demoSiteFiles();
      bad['site.css'] = `${bad['site.css']}\n.lead { color: #eee; background: #fff; }`;
      const report = await checkSite(bad, { chromium: CHROMIUM });
      expect(statuses(report).axe).toBe('failed');
      expect(report.summary).toMatch(/\[axe\/color-contrast\]/);
    },
  );
});
