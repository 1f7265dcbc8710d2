import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSite } from './checks.js';
import { CJK_FONT_CANDIDATES, sitePlanSchema, solutionHtml, solutionPdf } from './solution.js';

const solution = {
  title: 'Lotus Tea House website',
  summary: 'A two-page bilingual site: loose-leaf tea in Soho. 莲花茶馆：伦敦苏豪区的散装茶叶。',
  audience: 'Tea lovers in London and Chinese-speaking visitors.',
  next_steps: ['Approve the plan', '添加营业时间'],
};
const withCjk = existsSync(CJK_FONT_CANDIDATES[0]?.path ?? '') ? it : it.skip;

describe('solution document', () => {
  it('renders as a page that passes the site checks, with the text escaped', async () => {
    const html = solutionHtml({ ...solution, title: 'Tea & <cake>' }, 'Lotus Tea House');
    expect(html).toContain('<title>Tea &amp; &lt;cake&gt;</title>');
    const report = await checkSite({ 'index.html': html }, { chromium: false });
    expect(report.summary).toBe('axe-core was not run: apps.site_builder.chromium is off.');
  });

  withCjk('renders as a PDF with the CJK font embedded, so the Chinese text is in it', async () => {
    const pdf = await solutionPdf(solution, '莲花茶馆');
    expect(pdf.font).toBe('cjk');
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.bytes.toString('latin1')).toContain('WenQuanYiZenHei');
  });

  it('falls back to Helvetica without a CJK font, leaving out the Chinese text with a note', async () => {
    const pdf = await solutionPdf(solution, '莲花茶馆 Lotus', [{ path: '/nonexistent.ttc', family: 'X' }]);
    expect(pdf.font).toBe('helvetica');
    expect(pdf.bytes.toString('latin1')).toContain('/Helvetica');
    expect(pdf.bytes.toString('latin1')).not.toContain('WenQuanYiZenHei');
  });

  it('refuses a plan without pages or next steps', () => {
    expect(sitePlanSchema.safeParse({ pages: [], solution: { ...solution, next_steps: [] } }).success).toBe(false);
  });
});
