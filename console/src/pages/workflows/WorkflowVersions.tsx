import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../components/format';
import { ErrorBanner } from '../../components/QueryState';
import { diffOfYaml } from '../agents/VersionDiff';
import { yamlOf } from './workflow-steps';
import type { Workflow, WorkflowVersion } from './workflow-types';
import { activateWorkflowVersion } from './workflows-api';

/** Every version, newest first, any but the served one can be activated (an earlier one: a rollback); then their diff. */
export function WorkflowVersions({
  workflow,
  tenantId,
  versions,
  canActivate,
}: {
  workflow: Workflow;
  tenantId: string | null;
  versions: WorkflowVersion[];
  canActivate: boolean;
}) {
  const { t, i18n } = useTranslation(['workflows', 'common']);
  const queryClient = useQueryClient();
  const activate = useMutation({
    mutationFn: (version: number) => activateWorkflowVersion(tenantId, workflow.name, version),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['workflows'] }),
  });
  return (
    <>
      <h2>{t('versions.title')}</h2>
      {activate.isError ? <ErrorBanner error={activate.error} /> : null}
      <table className="data-table workflow-versions">
        <caption className="sr-only">{t('versions.caption', { name: workflow.name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('versions.version')}</th>
            <th scope="col">{t('versions.created')}</th>
            <th scope="col">{t('columns.steps')}</th>
            <th scope="col">{t('versions.state')}</th>
            {canActivate ? <th scope="col">{t('common:actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {[...versions].reverse().map((version) => (
            <tr key={version.version} data-version={version.version}>
              <td>{t('versionOf', { version: version.version })}</td>
              <td>{formatTime(version.created_at, i18n.language)}</td>
              <td>{version.document.spec.steps.map((step) => step.id).join(' → ')}</td>
              <td>{version.version === workflow.active_version ? <span className="badge ok">{t('versions.active')}</span> : null}</td>
              {canActivate ? (
                <td>
                  {version.version !== workflow.active_version ? (
                    <button type="button" className="button secondary" disabled={activate.isPending} onClick={() => activate.mutate(version.version)}>
                      {version.version < workflow.active_version
                        ? t('versions.rollback', { version: version.version })
                        : t('versions.activate', { version: version.version })}
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t('diff.title')}</h2>
      <WorkflowVersionDiff key={versions.length} versions={versions} activeVersion={workflow.active_version} />
    </>
  );
}

const SIGNS = { added: '+', removed: '−', same: ' ' } as const;

/**
 * The line diff of two versions' documents as YAML, as the agent page shows it: an added line is an `ins`
 * with a plus sign, a removed one a `del` with a minus sign, each also named in words for screen readers.
 */
function WorkflowVersionDiff({ versions, activeVersion }: { versions: WorkflowVersion[]; activeVersion: number }) {
  const { t } = useTranslation('workflows');
  const ids = useId();
  const latest = versions.at(-1)?.version ?? 1;
  const [from, setFrom] = useState(() => (latest > 1 ? (activeVersion === latest ? latest - 1 : activeVersion) : latest));
  const [to, setTo] = useState(latest);
  const before = versions.find((version) => version.version === from);
  const after = versions.find((version) => version.version === to);
  const lines = useMemo(() => (before && after ? diffOfYaml(yamlOf(before.document), yamlOf(after.document)) : []), [before, after]);
  if (versions.length < 2) return <p className="muted">{t('diff.single')}</p>;
  const added = lines.filter((line) => line.kind === 'added').length;
  const removed = lines.filter((line) => line.kind === 'removed').length;
  const picker = (label: string, value: number, onChange: (version: number) => void, name: string) => (
    <label>
      <span>{label}</span>
      <select name={name} value={value} onChange={(event) => onChange(Number(event.target.value))}>
        {versions.map((version) => (
          <option key={version.version} value={version.version}>
            {t('versionOf', { version: version.version })}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="version-diff">
      <div className="filters">
        {picker(t('diff.from'), from, setFrom, 'diffFrom')}
        {picker(t('diff.to'), to, setTo, 'diffTo')}
      </div>
      <p id={`${ids}-summary`} className="diff-summary" role="status">
        {added === 0 && removed === 0 ? t('diff.same') : t('diff.summary', { added, removed, from, to })}
      </p>
      <ol className="diff" aria-describedby={`${ids}-summary`}>
        {lines.map((line, index) => (
          // A line has no identity beyond its place in this diff, which is rebuilt whole when a version changes.
          <li key={index} className={`diff-line diff-${line.kind}`}>
            <span className="diff-sign" aria-hidden="true">
              {SIGNS[line.kind]}
            </span>
            {line.kind === 'added' ? (
              <ins>
                <span className="sr-only">{t('diff.added')}</span>
                {line.text}
              </ins>
            ) : line.kind === 'removed' ? (
              <del>
                <span className="sr-only">{t('diff.removed')}</span>
                {line.text}
              </del>
            ) : (
              <span>{line.text}</span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
