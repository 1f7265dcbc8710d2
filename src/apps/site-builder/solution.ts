import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { z } from 'zod';

const line = z.string().trim().min(1).max(2000);

/** The plan step's answer: the site's pages and sections, and the one-page solution document for the owner. */
export const sitePlanSchema = z.object({
  pages: z
    .array(
      z.object({
        path: z.string().min(1).max(200),
        language: z.string().min(2).max(8),
        title: line,
        sections: z
          .array(z.object({ heading: line, copy: line }))
          .min(1)
          .max(20),
      }),
    )
    .min(1)
    .max(40),
  solution: z.object({
    title: line,
    /** What the site says, in a few sentences. */
    summary: line,
    /** Who the site is for. */
    audience: line,
    next_steps: z.array(line).min(1).max(12),
  }),
});

export type SitePlan = z.output<typeof sitePlanSchema>;
export type SolutionDocument = SitePlan['solution'];

/** The JSON Schema the plan step asks the model to answer in (the same shape as `sitePlanSchema`). */
export const SITE_PLAN_JSON_SCHEMA = z.toJSONSchema(sitePlanSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? character,
  );

/** The solution document as a page of its own: no script, no external resource, its style inline in a <style> the CSP allows by hash. */
export function solutionHtml(solution: SolutionDocument, business: string, lang = 'en'): string {
  return `<!DOCTYPE html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(solution.title)}</title>
<meta name="description" content="${escapeHtml(solution.summary.slice(0, 300))}">
<style>${SOLUTION_CSS}</style>
</head>
<body>
<main>
<h1>${escapeHtml(solution.title)}</h1>
<p class="business">${escapeHtml(business)}</p>
<h2>What the site says</h2>
<p>${escapeHtml(solution.summary)}</p>
<h2>Who it is for</h2>
<p>${escapeHtml(solution.audience)}</p>
<h2>Next steps</h2>
<ol>
${solution.next_steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('\n')}
</ol>
</main>
</body>
</html>
`;
}

export const SOLUTION_CSS =
  'body{margin:0;font-family:system-ui,sans-serif;line-height:1.6;color:#1d1d1d;background:#fff}main{max-width:40rem;margin:0 auto;padding:2rem 1.5rem}h1{margin-bottom:0}.business{color:#555;margin-top:0}h2{font-size:1.1rem;margin-top:1.5rem}';

/** Where a CJK font may be on this machine (Debian's fonts-wqy-zenhei); the first found is embedded, subset. */
export const CJK_FONT_CANDIDATES = [
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  { path: '/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
];

export interface SolutionPdf {
  bytes: Buffer;
  /** The font the text is set in: the CJK one, or Helvetica with non-Latin text left out (and a note saying so on the page). */
  font: 'cjk' | 'helvetica';
}

const NOT_LATIN1 = /[^\t\n\r\u0020-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2026]/g;

/** The solution document as a one-page PDF (pdfkit), Chinese set in the CJK font when the machine has one. */
export function solutionPdf(solution: SolutionDocument, business: string, fonts = CJK_FONT_CANDIDATES): Promise<SolutionPdf> {
  const cjk = fonts.find((font) => existsSync(font.path));
  const document = new PDFDocument({ size: 'A4', margin: 56, info: { Title: solution.title, Creator: 'TokenHub site-builder' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  let dropped = false;
  const text = (value: string): string => {
    if (cjk) return value;
    const latin = value.replace(NOT_LATIN1, '');
    if (latin !== value) dropped = true;
    return latin;
  };
  if (cjk) document.registerFont('body', cjk.path, cjk.family);
  document.font(cjk ? 'body' : 'Helvetica');
  document.fontSize(20).text(text(solution.title));
  document.fontSize(11).fillColor('#555555').text(text(business)).moveDown();
  const section = (heading: string, body: string) => {
    document.fillColor('#000000').fontSize(13).text(heading).fontSize(11).text(text(body)).moveDown(0.6);
  };
  section('What the site says', solution.summary);
  section('Who it is for', solution.audience);
  document.fontSize(13).text('Next steps').fontSize(11);
  for (const [index, step] of solution.next_steps.entries()) document.text(`${index + 1}. ${text(step)}`);
  if (dropped) {
    document
      .moveDown()
      .fontSize(9)
      .fillColor('#a00000')
      .text(
        'Note: this hub has no CJK font (install fonts-wqy-zenhei), so non-Latin text is left out of this PDF; the HTML version has it all.',
      );
  }
  document.end();
  return done.then((bytes) => ({ bytes, font: cjk ? 'cjk' : 'helvetica' }));
}
