import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HtmlValidate, Parser } from 'html-validate';

/** One problem a check found, precise enough to hand back to the agent that wrote the file. */
export interface SiteProblem {
  file: string;
  rule: string;
  message: string;
  line?: number;
}

export type CheckName = 'html' | 'metadata' | 'external' | 'axe';

export interface CheckResult {
  check: CheckName;
  /** `not_run` is never a pass: it says why (no Chromium configured or found). */
  status: 'passed' | 'failed' | 'not_run';
  problems: SiteProblem[];
  note?: string;
}

export interface SiteCheckReport {
  /** True when every check that ran passed and none was required but not run. */
  ok: boolean;
  pages: string[];
  checks: CheckResult[];
  /** The problems, one a line, for the agent's next round. */
  summary: string;
}

export interface SiteCheckOptions {
  /** Chromium's executable for axe-core; `false`: the axe check is not run (and says so). */
  chromium: string | false;
  /** Fail the report when the axe check could not run (default false: it is reported `not_run`). */
  requireAxe?: boolean;
}

const validator = new HtmlValidate({ extends: ['html-validate:standard', 'html-validate:a11y'] });

const isPage = (path: string): boolean => path.endsWith('.html');
/** A URL that leaves the site: a scheme or a protocol-relative `//host`. `data:` stays (inline SVG), and so do `mailto:`/`tel:` links. */
const EXTERNAL_URL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;
const INERT_SCHEMES = /^(?:data|mailto|tel):/i;

/** HTML validity of every page, by html-validate's standard and accessibility presets. */
async function validateHtml(files: Record<string, string>): Promise<CheckResult> {
  const problems: SiteProblem[] = [];
  for (const [file, html] of Object.entries(files)) {
    if (!isPage(file)) continue;
    const report = await validator.validateString(html, file);
    for (const result of report.results) {
      for (const message of result.messages) problems.push({ file, rule: message.ruleId, message: message.message, line: message.line });
    }
  }
  return { check: 'html', status: problems.length === 0 ? 'passed' : 'failed', problems };
}

/** What every page must say about itself (title, description, language), alt text on images, and nothing loaded from elsewhere. */
async function metadataAndExternals(files: Record<string, string>): Promise<[CheckResult, CheckResult]> {
  const metadata: SiteProblem[] = [];
  const external: SiteProblem[] = [];
  for (const [file, source] of Object.entries(files)) {
    if (isPage(file)) {
      const parser = new Parser(await validator.getConfigFor(file));
      const document = parser.parseHtml(source);
      const problem = (rule: string, message: string) => metadata.push({ file, rule, message });
      const html = document.querySelector('html');
      if (!html?.getAttributeValue('lang')) problem('lang', 'The <html> element has no `lang` attribute.');
      if ((document.querySelector('title')?.textContent.trim() ?? '') === '') problem('title', 'The page has no <title> with text.');
      const description = document.querySelector('meta[name="description"]')?.getAttributeValue('content') ?? '';
      if (description.trim() === '') problem('description', 'The page has no <meta name="description" content="…">.');
      for (const image of document.querySelectorAll('img')) {
        if (!image.hasAttribute('alt'))
          problem('img-alt', `<img src="${image.getAttributeValue('src') ?? ''}"> has no alt text (line ${image.location.line}).`);
      }
      for (const script of document.querySelectorAll('script')) {
        external.push({
          file,
          rule: 'no-script',
          message: `A <script> (line ${script.location.line}): the site is static, and its CSP runs no script.`,
        });
      }
      for (const element of document.querySelectorAll('link, img, source, iframe, object, embed, video, audio')) {
        for (const attribute of ['href', 'src', 'srcset', 'data']) {
          const url = element.getAttributeValue(attribute)?.trim();
          if (!url || INERT_SCHEMES.test(url)) continue;
          const isNavigation = element.tagName === 'link' && !/stylesheet|icon|preload|font/i.test(element.getAttributeValue('rel') ?? '');
          if (EXTERNAL_URL.test(url) && !isNavigation) {
            external.push({
              file,
              rule: 'no-external',
              message: `<${element.tagName} ${attribute}="${url}"> loads from outside the site.`,
            });
          }
        }
      }
      for (const element of document.querySelectorAll('link[rel="stylesheet"], img, a')) {
        const url = element.getAttributeValue(element.tagName === 'img' ? 'src' : 'href')?.trim();
        if (!url || EXTERNAL_URL.test(url) || url.startsWith('#')) continue;
        const target = resolveSitePath(file, url);
        if (
          target !== null &&
          files[target] === undefined &&
          files[`${target}/index.html`] === undefined &&
          files[`${target}index.html`] === undefined
        ) {
          problem(
            'missing-file',
            `<${element.tagName}> points at \`${url}\`, which the site does not have (line ${element.location.line}).`,
          );
        }
      }
      for (const style of document.querySelectorAll('style')) externalInCss(file, style.textContent, external);
    } else if (file.endsWith('.css') || file.endsWith('.svg')) {
      externalInCss(file, files[file] ?? '', external);
    }
  }
  return [
    { check: 'metadata', status: metadata.length === 0 ? 'passed' : 'failed', problems: metadata },
    { check: 'external', status: external.length === 0 ? 'passed' : 'failed', problems: external },
  ];
}

/** A relative URL of `page` as a site path (query and fragment dropped); null when it climbs out of the site. */
function resolveSitePath(page: string, url: string): string | null {
  const segments = page.split('/').slice(0, -1);
  const path = url.split(/[?#]/)[0] ?? '';
  if (path.startsWith('/')) return null;
  for (const segment of path.split('/')) {
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
    } else if (segment !== '.' && segment !== '') segments.push(segment);
  }
  return segments.join('/') + (path.endsWith('/') ? '/' : '');
}

function externalInCss(file: string, css: string, problems: SiteProblem[]): void {
  for (const match of css.matchAll(/url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)/gi)) {
    const url = (match[1] ?? match[2] ?? '').trim();
    if (EXTERNAL_URL.test(url) && !INERT_SCHEMES.test(url))
      problems.push({ file, rule: 'no-external', message: `\`${url}\` loads from outside the site.` });
  }
  if (/@font-face/i.test(css)) problems.push({ file, rule: 'no-fonts', message: 'An @font-face: the site uses the system fonts only.' });
}

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  ico: 'image/x-icon',
};

/** The content type a site file is served with (from its extension; anything else is plain text). */
export function contentTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[extension] ?? 'text/plain; charset=utf-8';
}

const AXE_ORIGIN = 'http://site.check.invalid';

/**
 * axe-core on every page in Chromium, the files served to it from memory (every other request refused, so
 * nothing of the page reaches the network). Without Chromium the check is `not_run`, with the reason.
 */
async function runAxe(files: Record<string, string>, chromium: string | false): Promise<CheckResult> {
  if (chromium === false)
    return { check: 'axe', status: 'not_run', problems: [], note: 'axe-core was not run: apps.site_builder.chromium is off.' };
  if (!existsSync(chromium))
    return { check: 'axe', status: 'not_run', problems: [], note: `axe-core was not run: no Chromium at ${chromium}.` };
  const axeSource = createRequire(import.meta.url)('axe-core').source as string;
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({
    executablePath: chromium,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const problems: SiteProblem[] = [];
  try {
    const context = await browser.newContext({ javaScriptEnabled: true });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      const path = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'index.html';
      const content = url.origin === AXE_ORIGIN ? files[path.endsWith('/') ? `${path}index.html` : path] : undefined;
      if (content === undefined) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ status: 200, contentType: contentTypeOf(path), body: content });
    });
    const page = await context.newPage();
    for (const file of Object.keys(files).filter(isPage)) {
      await page.goto(`${AXE_ORIGIN}/${file}`);
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as {
            axe: { run(): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> };
          }
        ).axe;
        return (await axe.run()).violations.map((violation) => ({
          id: violation.id,
          help: violation.help,
          targets: violation.nodes.map((node) => node.target.join(' ')),
        }));
      });
      for (const violation of violations)
        problems.push({ file, rule: `axe/${violation.id}`, message: `${violation.help}: ${violation.targets.slice(0, 5).join(', ')}` });
    }
  } finally {
    await browser.close();
  }
  return { check: 'axe', status: problems.length === 0 ? 'passed' : 'failed', problems };
}

/** Every check of a built site, before it may be published. */
export async function checkSite(files: Record<string, string>, options: SiteCheckOptions): Promise<SiteCheckReport> {
  const pages = Object.keys(files).filter(isPage).sort();
  const structural: CheckResult[] = [await validateHtml(files), ...(await metadataAndExternals(files))];
  if (!files['index.html']) structural[1]?.problems.unshift({ file: 'index.html', rule: 'index', message: 'The site has no index.html.' });
  if (structural[1] && structural[1].problems.length > 0) structural[1].status = 'failed';
  const axe = await runAxe(files, options.chromium);
  const checks = [...structural, axe];
  const failed = checks.some((check) => check.status === 'failed') || (options.requireAxe === true && axe.status === 'not_run');
  const problems = checks.flatMap((check) => check.problems);
  const summary = [
    ...problems.map((problem) => `${problem.file}${problem.line ? `:${problem.line}` : ''} [${problem.rule}] ${problem.message}`),
    ...checks.flatMap((check) => (check.note ? [check.note] : [])),
  ].join('\n');
  return { ok: !failed, pages, checks, summary: summary || 'Every check passed.' };
}
