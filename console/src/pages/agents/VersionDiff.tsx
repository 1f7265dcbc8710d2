import type { AgentVersion } from '@contract';
import { diffLines } from 'diff';
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yamlOf } from './agent-draft';

interface Line {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

/** The line diff of two YAML texts, one entry per line. */
export function diffOfYaml(before: string, after: string): Line[] {
  return diffLines(before, after).flatMap((part) => {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    const lines = part.value.replace(/\n$/, '').split('\n');
    return lines.map((text) => ({ kind, text }) as Line);
  });
}

const SIGNS = { added: '+', removed: '−', same: ' ' } as const;

/**
 * What changed between two versions of an agent: the line diff of their YAML. An added line is an `ins`
 * element marked with a plus sign and a removed one a `del` element marked with a minus sign, each also
 * named in words for screen readers, so the difference never rests on colour alone.
 */
export function VersionDiff({ versions, activeVersion }: { versions: AgentVersion[]; activeVersion: number }) {
  const { t } = useTranslation('agents');
  const ids = useId();
  const latest = versions.at(-1)?.version ?? 1;
  const [from, setFrom] = useState(() => (latest > 1 ? (activeVersion === latest ? latest - 1 : activeVersion) : latest));
  const [to, setTo] = useState(latest);
  const before = versions.find((version) => version.version === from);
  const after = versions.find((version) => version.version === to);
  const lines = useMemo(() => (before && after ? diffOfYaml(yamlOf(before.definition), yamlOf(after.definition)) : []), [before, after]);
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
