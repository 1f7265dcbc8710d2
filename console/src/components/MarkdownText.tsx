import { memo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import Markdown, { type Components, type UrlTransform } from 'react-markdown';
import remarkGfm from 'remark-gfm';

const SAFE_URL = /^(?:https?:|mailto:)/i;
const PLUGINS = [remarkGfm];

/** Only absolute http(s) and mailto links survive; anything else (javascript:, data:, relative paths) loses its URL. */
export const safeUrl: UrlTransform = (url) => (SAFE_URL.test(url.trim()) ? url.trim() : null);

function TableBlock({ children }: { children?: ReactNode }) {
  const { t } = useTranslation('common');
  // Wide tables scroll inside the panel; a scrolling region must be reachable by keyboard.
  return (
    <div className="markdown-table" tabIndex={0} role="region" aria-label={t('markdown.table')}>
      <table>{children}</table>
    </div>
  );
}

// Headings sit below the card's own h3, so the page's outline stays intact.
const heading =
  (Tag: 'h4' | 'h5' | 'h6') =>
  ({ children }: { children?: ReactNode }) => <Tag className="markdown-heading">{children}</Tag>;

const COMPONENTS: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span className="markdown-dropped-link">{children}</span>
    ),
  // An image would be fetched from wherever the agent points (a tracking pixel): show a link to it instead.
  img: ({ src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt || src}
      </a>
    ) : (
      <span>{alt}</span>
    ),
  table: ({ children }) => <TableBlock>{children}</TableBlock>,
  h1: heading('h4'),
  h2: heading('h5'),
  h3: heading('h6'),
  h4: heading('h6'),
  h5: heading('h6'),
  h6: heading('h6'),
};

/**
 * Text an agent wrote, rendered as GitHub-flavoured markdown (tables, lists, emphasis, code, links). Raw HTML
 * in it is shown as text, never parsed; links open in a new tab without the opener. Never use it for what a
 * customer or a person wrote: that stays plain text, so nobody can dress their words as the agent's or the hub's.
 */
export const MarkdownText = memo(function MarkdownText({ text, className }: { text: string; className?: string }) {
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      <Markdown remarkPlugins={PLUGINS} urlTransform={safeUrl} components={COMPONENTS}>
        {text}
      </Markdown>
    </div>
  );
});
