import type { Agent, AgentVersion } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useUrlParams } from '../../components/useUrlParams';
import { useSession } from '../../auth/session';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { useAgentTenant } from './agent-tenant';
import { AgentEditor } from './AgentEditor';
import { AgentTestRun } from './AgentTestRun';
import { activateVersion, agentKey, getAgent, listVersions, versionsKey } from './agents-api';
import { VersionDiff } from './VersionDiff';

const TABS = ['versions', 'edit', 'test'] as const;
type TabId = (typeof TABS)[number];

/** One agent: what it serves, its versions and their diff, its editor, and a test run. */
export function AgentDetail() {
  const { t } = useTranslation(['agents', 'common']);
  const { name = '' } = useParams();
  const { tenantId, ready, link } = useAgentTenant();
  const agent = useQuery({ queryKey: agentKey(tenantId, name), queryFn: () => getAgent(tenantId, name), enabled: ready });
  return (
    <section>
      <p>
        <Link to={link('/agents')}>{t('back')}</Link>
      </p>
      <QueryState query={agent}>{(data) => <AgentView agent={data} tenantId={tenantId} />}</QueryState>
    </section>
  );
}

function AgentView({ agent, tenantId }: { agent: Agent; tenantId: string | null }) {
  const { t, i18n } = useTranslation(['agents', 'common']);
  const session = useSession();
  const [params, update] = useUrlParams();
  const [saved, setSaved] = useState<number | null>(null);
  const versions = useQuery({ queryKey: versionsKey(tenantId, agent.name), queryFn: () => listVersions(tenantId, agent.name) });
  const writable = agent.source === 'api' && session.can('agents:write');
  const runnable = !session.isAdmin && session.can('agents:run');
  const tabs = TABS.filter((tab) => (tab === 'edit' ? writable : tab === 'test' ? runnable : true));
  const asked = params.get('tab') as TabId | null;
  const selected: TabId = asked && tabs.includes(asked) ? asked : 'versions';
  const select = (tab: TabId) => update({ tab });
  return (
    <>
      <PageHeader title={agent.name}>
        <p className="muted">{agent.source === 'config' ? t('configReadOnly') : t('serving', { version: agent.active_version, latest: agent.latest_version })}</p>
      </PageHeader>
      {saved !== null ? (
        <p className="notice" role="status">
          {t('savedVersion', { version: saved })}
        </p>
      ) : null}
      <dl className="agent-facts cards">
        <div className="card">
          <dt className="label">{t('columns.activeVersion')}</dt>
          <dd className="value agent-active-version">{t('versionOf', { version: agent.active_version })}</dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.model')}</dt>
          <dd className="value">
            <code>{agent.model}</code>
          </dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.tools')}</dt>
          <dd className="value">{(agent.tools ?? []).map((tool) => tool.name).join(', ') || t('common:none')}</dd>
        </div>
        <div className="card">
          <dt className="label">{t('columns.updated')}</dt>
          <dd className="agent-updated">{formatTime(agent.updated_at, i18n.language)}</dd>
        </div>
      </dl>
      <TabBar tabs={tabs} selected={selected} onSelect={select} label={t('tabs.label')} />
      <div role="tabpanel" id={`agent-panel-${selected}`} aria-labelledby={`agent-tab-${selected}`} className="tab-panel">
        {selected === 'versions' ? (
          <QueryState query={versions}>
            {(data) => (
              <>
                <VersionList agent={agent} tenantId={tenantId} versions={data.data} canActivate={writable} />
                <h2>{t('diff.title')}</h2>
                <VersionDiff key={data.data.length} versions={data.data} activeVersion={agent.active_version} />
              </>
            )}
          </QueryState>
        ) : null}
        {selected === 'edit' ? (
          <AgentEditor
            key={`${agent.active_version}-${agent.latest_version}`}
            tenantId={tenantId}
            agent={agent}
            onSaved={(updated) => {
              setSaved(updated.active_version);
              select('versions');
            }}
          />
        ) : null}
        {selected === 'test' ? <AgentTestRun name={agent.name} /> : null}
      </div>
    </>
  );
}

/**
 * The agent's views as WAI-ARIA tabs: one tab stop, arrow keys (and Home, End) move between them. Written
 * here rather than taken from react-aria, whose press handling injects a style element the console's CSP refuses.
 */
function TabBar({ tabs, selected, onSelect, label }: { tabs: readonly TabId[]; selected: TabId; onSelect: (tab: TabId) => void; label: string }) {
  const { t } = useTranslation('agents');
  const buttons = useRef(new Map<TabId, HTMLButtonElement>());
  const move = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (!tab) return;
    onSelect(tab);
    buttons.current.get(tab)?.focus();
  };
  return (
    <div role="tablist" aria-label={label} className="tab-list">
      {tabs.map((tab, index) => (
        <button
          key={tab}
          ref={(element) => {
            if (element) buttons.current.set(tab, element);
            else buttons.current.delete(tab);
          }}
          type="button"
          role="tab"
          id={`agent-tab-${tab}`}
          aria-controls={`agent-panel-${tab}`}
          aria-selected={selected === tab}
          tabIndex={selected === tab ? 0 : -1}
          className="tab"
          onClick={() => onSelect(tab)}
          onKeyDown={(event) => {
            const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
            if (to === undefined) return;
            event.preventDefault();
            move(to);
          }}
        >
          {t(`tabs.${tab}`)}
        </button>
      ))}
    </div>
  );
}

/** Every version, newest first; any but the served one can be activated (an earlier one: a rollback). */
function VersionList({ agent, tenantId, versions, canActivate }: { agent: Agent; tenantId: string | null; versions: AgentVersion[]; canActivate: boolean }) {
  const { t, i18n } = useTranslation(['agents', 'common']);
  const queryClient = useQueryClient();
  const activate = useMutation({
    mutationFn: (version: number) => activateVersion(tenantId, agent.name, version),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['agents'] }),
  });
  return (
    <>
      <h2>{t('versions.title')}</h2>
      {activate.isError ? <ErrorBanner error={activate.error} /> : null}
      <table className="data-table agent-versions">
        <caption className="sr-only">{t('versions.caption', { name: agent.name })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('versions.version')}</th>
            <th scope="col">{t('versions.created')}</th>
            <th scope="col">{t('columns.model')}</th>
            <th scope="col">{t('versions.state')}</th>
            {canActivate ? <th scope="col">{t('common:actions')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {[...versions].reverse().map((version) => (
            <tr key={version.version}>
              <td>{t('versionOf', { version: version.version })}</td>
              <td>{agent.source === 'config' ? '—' : formatTime(version.created_at, i18n.language)}</td>
              <td>
                <code>{version.definition.model}</code>
              </td>
              <td>{version.version === agent.active_version ? <span className="badge ok">{t('versions.active')}</span> : null}</td>
              {canActivate ? (
                <td>
                  {version.version !== agent.active_version ? (
                    <button type="button" className="button secondary" disabled={activate.isPending} onClick={() => activate.mutate(version.version)}>
                      {version.version < agent.active_version ? t('versions.rollback', { version: version.version }) : t('versions.activate', { version: version.version })}
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
