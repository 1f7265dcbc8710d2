import type { AuditEntry } from '@contract';
import { diffJson } from 'diff';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { formatTime } from '../../components/format';

const json = (value: unknown): string => JSON.stringify(value, null, 2) ?? '';
const code = (text: string): ReactNode => <code>{text}</code>;
const statusBadge = (status: number): ReactNode => <span className={`badge ${status < 400 ? 'ok' : 'bad'}`}>{status}</span>;

/** One audit entry: who did what to which entity, how it ended, and what changed (before → after). */
export function AuditDetail({ entry, actorName, onClose }: { entry: AuditEntry | null; actorName: (actor: string) => string; onClose: () => void }) {
  const { t } = useTranslation(['audit', 'common']);
  return (
    <Dialog title={entry ? t('detail.title', { action: entry.action }) : ''} open={entry !== null} onClose={onClose}>
      {entry ? <DetailBody entry={entry} actorName={actorName} /> : null}
      <div className="dialog-actions">
        <button type="button" className="button secondary" onClick={onClose}>
          {t('common:close')}
        </button>
      </div>
    </Dialog>
  );
}

function DetailBody({ entry, actorName }: { entry: AuditEntry; actorName: (actor: string) => string }) {
  const { t, i18n } = useTranslation(['audit', 'common']);
  const none = <span className="muted">{t('detail.none')}</span>;
  const fields: [string, ReactNode][] = [
    ['at', formatTime(entry.at, i18n.language)],
    ['actor', actorName(entry.actor)],
    ['action', code(entry.action)],
    ['target', entry.target_id ? `${entry.target_type} ${entry.target_id}` : entry.target_type],
    ['tenant', entry.tenant_id ?? none],
    ['request', code(`${entry.method} ${entry.path}`)],
    ['requestId', code(entry.request_id)],
    ['status', statusBadge(entry.status)],
    ['errorCode', entry.error_code ?? none],
  ];
  return (
    <>
      <dl className="facts audit-facts">
        {fields.map(([name, value]) => (
          <div key={name} className="audit-fact">
            <dt>{t(`fields.${name}`)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <Change before={entry.before} after={entry.after} />
    </>
  );
}

/** The entity as it was and as it became: a line diff when there are both, else whichever there is. */
function Change({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation('audit');
  if ((before === null || before === undefined) && (after === null || after === undefined)) return <p className="muted">{t('detail.noChange')}</p>;
  if (before === null || before === undefined) return <Snapshot title={t('detail.after')} value={after} testId="audit-after" />;
  if (after === null || after === undefined) return <Snapshot title={t('detail.before')} value={before} testId="audit-before" />;
  const parts = diffJson(before as object, after as object);
  return (
    <section aria-labelledby="audit-change-title">
      <h3 id="audit-change-title">{t('detail.change')}</h3>
      <p className="muted">{t('detail.legend')}</p>
      <pre className="code audit-diff" tabIndex={0} aria-label={t('detail.change')} data-testid="audit-diff">
        {parts.map((part, index) => (
          <span key={index} className={part.added ? 'audit-added' : part.removed ? 'audit-removed' : undefined}>
            {part.value
              .replace(/\n$/, '')
              .split('\n')
              .map((line) => `${part.added ? '+ ' : part.removed ? '- ' : '  '}${line}\n`)
              .join('')}
          </span>
        ))}
      </pre>
    </section>
  );
}

function Snapshot({ title, value, testId }: { title: string; value: unknown; testId: string }) {
  return (
    <section>
      <h3>{title}</h3>
      <pre className="code" tabIndex={0} aria-label={title} data-testid={testId}>
        {json(value)}
      </pre>
    </section>
  );
}
