/**
 * A small real site as the scripted model writes it in the demo and the tests: an English and a Chinese page,
 * one stylesheet and a generated SVG mark. `withoutAlt` drops the logo's alt text, the mistake the first build
 * round of the demo makes so that the checks send it back; `title` is the English page's title (a builder
 * following an edited plan).
 */
export function demoSiteFiles(options: { withoutAlt?: boolean; title?: string } = {}): Record<string, string> {
  const alt = options.withoutAlt ? '' : ' alt="Lotus Tea House logo"';
  const altZh = options.withoutAlt ? '' : ' alt="莲花茶馆标志"';
  const page = (
    lang: 'en' | 'zh',
    body: {
      title: string;
      description: string;
      heading: string;
      lead: string;
      other: string;
      otherHref: string;
      contact: string;
      alt: string;
    },
  ) => `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${body.title}</title>
<meta name="description" content="${body.description}">
<link rel="stylesheet" href="${lang === 'en' ? '' : '../'}site.css">
</head>
<body>
<header class="top">
<img src="${lang === 'en' ? '' : '../'}logo.svg" width="56" height="56"${body.alt}>
<nav aria-label="${lang === 'en' ? 'Languages' : '语言'}"><a href="${body.otherHref}" hreflang="${lang === 'en' ? 'zh' : 'en'}">${body.other}</a></nav>
</header>
<main>
<h1>${body.heading}</h1>
<p class="lead">${body.lead}</p>
<section aria-labelledby="visit-${lang}">
<h2 id="visit-${lang}">${lang === 'en' ? 'Visit us' : '欢迎光临'}</h2>
<p>${body.contact}</p>
</section>
</main>
<footer><p>© 2026 ${lang === 'en' ? 'Lotus Tea House' : '莲花茶馆'}</p></footer>
</body>
</html>
`;
  return {
    'index.html': page('en', {
      title: options.title ?? 'Lotus Tea House — loose-leaf tea in Soho',
      description: 'Lotus Tea House sells loose-leaf Chinese tea and serves it by the pot in Soho, London.',
      heading: 'Lotus Tea House',
      lead: 'Loose-leaf Chinese tea, sold by weight and served by the pot, in the heart of Soho.',
      other: '中文',
      otherHref: 'zh/index.html',
      contact:
        'Open daily 10:00–19:00 at 12 Greek Street, London. Write to <a href="mailto:hello@lotus-tea.example">hello@lotus-tea.example</a>.',
      alt,
    }),
    'zh/index.html': page('zh', {
      title: '莲花茶馆 — 伦敦苏豪区散装茶叶',
      description: '莲花茶馆在伦敦苏豪区出售中国散装茶叶，并以壶供应。',
      heading: '莲花茶馆',
      lead: '中国散装茶叶，按重量出售，按壶品饮，就在苏豪区中心。',
      other: 'English',
      otherHref: '../index.html',
      contact:
        '每天 10:00–19:00 营业，地址：伦敦希腊街12号。来信请寄 <a href="mailto:hello@lotus-tea.example">hello@lotus-tea.example</a>。',
      alt: altZh,
    }),
    'site.css': `:root { --primary: #1f5f8b; --accent: #b3541e; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; color: #1d1d1d; background: #fbf8f3; line-height: 1.6; }
.top { display: flex; align-items: center; justify-content: space-between; padding: 1rem 1.5rem; background: var(--primary); }
.top a { color: #fff; font-weight: 600; }
main { max-width: 42rem; margin: 0 auto; padding: 2rem 1.5rem; }
h1 { color: var(--primary); font-size: clamp(2rem, 6vw, 3rem); margin: 0 0 0.5rem; }
h2 { color: var(--accent); }
a { color: var(--primary); }
.lead { font-size: 1.25rem; }
footer { text-align: center; padding: 1rem; color: #444; }
@media (max-width: 30rem) { .top { flex-direction: column; gap: 0.5rem; } }
`,
    'logo.svg': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Lotus"><circle cx="32" cy="32" r="30" fill="#fbf8f3"/><path d="M32 14c6 8 6 18 0 26-6-8-6-18 0-26z" fill="#b3541e"/><path d="M14 30c10 0 16 6 18 12-10 0-16-6-18-12zm36 0c-10 0-16 6-18 12 10 0 16-6 18-12z" fill="#1f5f8b"/></svg>
`,
  };
}

/** The demo's intake form: a tea shop in London, in English and Chinese. */
export const DEMO_INTAKE = {
  business_name: 'Lotus Tea House',
  offering: 'Loose-leaf Chinese tea, sold by weight and served by the pot',
  location: 'Soho, London',
  contact: { email: 'hello@lotus-tea.example' },
  tone: 'friendly',
  languages: ['en', 'zh'],
} as const;

/** The plan the scripted model answers the plan step with. */
export const DEMO_PLAN = {
  pages: [
    {
      path: 'index.html',
      language: 'en',
      title: 'Lotus Tea House',
      sections: [{ heading: 'Visit us', copy: 'Open daily at 12 Greek Street.' }],
    },
    { path: 'zh/index.html', language: 'zh', title: '莲花茶馆', sections: [{ heading: '欢迎光临', copy: '每天营业，地址：希腊街12号。' }] },
  ],
  solution: {
    title: 'A bilingual website for Lotus Tea House',
    summary: 'Two pages, English and Chinese: what the shop sells, where it is, and how to write to it. 中英文双语网站。',
    audience: 'Tea lovers in London, and Chinese-speaking visitors and students nearby.',
    next_steps: ['Approve the plan', 'Add opening hours for holidays', '添加茶叶价格表'],
  },
};

type ScriptStep = { text?: string; tool_calls?: { name: string; arguments: Record<string, unknown> }[] };

/**
 * The scripted model's answers for one build: the plan, then the builder's rounds. With `failFirstRound` the first
 * round writes the pages without alt text, the checks send it back, and the second round writes them again.
 */
export function demoScript(options: { failFirstRound?: boolean } = {}): ScriptStep[] {
  const writes = (files: Record<string, string>) =>
    Object.entries(files).map(([path, content]) => ({ name: 'write_file', arguments: { path, content } }));
  const good = demoSiteFiles();
  const steps: ScriptStep[] = [{ text: JSON.stringify(DEMO_PLAN) }];
  if (options.failFirstRound) {
    steps.push(
      { tool_calls: writes(demoSiteFiles({ withoutAlt: true })) },
      { text: 'I wrote the two pages, the stylesheet and the logo.' },
    );
    steps.push(
      { tool_calls: writes({ 'index.html': good['index.html'] ?? '', 'zh/index.html': good['zh/index.html'] ?? '' }) },
      { text: 'I added alt text to the logo on both pages.' },
    );
  } else {
    steps.push({ tool_calls: writes(good) }, { text: 'I wrote the two pages, the stylesheet and the logo.' });
  }
  return steps;
}
