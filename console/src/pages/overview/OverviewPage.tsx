import type { UsageInterval } from '@contract';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { useTenants } from '../../components/TenantSelect';
import { useUrlParams } from '../../components/useUrlParams';
import { BudgetsTable } from './BudgetsTable';
import { GroupTable } from './GroupTable';
import { useOverview } from './overview-api';
import { alignedRange, defaultInterval, INTERVALS, intervalAllowed, isInterval, isPreset, isSplit, PRESETS, type Preset, rangeOf, SPLITS, type Split, utcDay } from './overview-range';
import { TopSpenders } from './TopSpenders';
import { UsageCards } from './UsageCards';
import { UsageCharts } from './UsageCharts';

const DAY_MS = 86_400_000;

/**
 * The overview: requests, tokens, spend, error rate and latency over a range, split by model, key, project or
 * agent; budgets with their burn-down; the top keys and agents by spend. The view lives in the URL
 * (`?range=&interval=&split=&tenant=&from=&to=`); four API calls per view (see `useOverview`), all from the
 * usage rollups. The hub admin sees every tenant or one (`/admin/v1/…`); a person their own (`/v1/…`).
 */
export default function OverviewPage() {
  const { t } = useTranslation(['overview', 'common']);
  const { isAdmin } = useSession();
  const [params, update] = useUrlParams();
  const tenants = useTenants(isAdmin);

  const preset: Preset = isPreset(params.get('range')) ? (params.get('range') as Preset) : '7d';
  const today = utcDay(Date.now());
  const custom = { from: params.get('from') ?? utcDay(Date.now() - 6 * DAY_MS), to: params.get('to') ?? today };
  // The range is recomputed when the hour turns (a preset ends at the end of the current hour).
  const hour = Math.floor(Date.now() / 3_600_000);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `hour` is what moves a preset's range
  const range = useMemo(() => rangeOf(preset, custom), [preset, custom.from, custom.to, hour]);
  const chosenInterval = params.get('interval');
  const interval: UsageInterval =
    range && isInterval(chosenInterval) && intervalAllowed(chosenInterval, range) ? chosenInterval : range ? defaultInterval(range) : 'day';
  const split: Split = isSplit(params.get('split')) ? (params.get('split') as Split) : 'model';
  const tenantId = isAdmin ? params.get('tenant') || null : null;
  const asked = range ? alignedRange(range, interval) : null;
  const askedFrom = asked?.from.getTime();
  const askedTo = asked?.to.getTime();
  // One object per distinct range, so the charts redraw when the range changes, not on every render.
  const viewRange = useMemo(() => (askedFrom === undefined || askedTo === undefined ? null : { from: new Date(askedFrom), to: new Date(askedTo) }), [askedFrom, askedTo]);

  return (
    <section className="overview-page">
      <PageHeader title={t('title')}>
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      <form className="filters overview-filters" onSubmit={(event) => event.preventDefault()}>
        {isAdmin ? (
          <div className="overview-field">
            <label htmlFor="overview-tenant">{t('filter.tenant')}</label>
            <select id="overview-tenant" value={tenantId ?? ''} onChange={(event) => update({ tenant: event.target.value })}>
              <option value="">{t('filter.allTenants')}</option>
              {(tenants.data?.data ?? []).map((tenant) => (
                <option key={tenant.id} value={tenant.id}>
                  {tenant.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <fieldset className="overview-presets">
          <legend>{t('filter.range')}</legend>
          {[...PRESETS, 'custom' as const].map((value) => (
            <button
              key={value}
              type="button"
              className="button secondary"
              aria-pressed={preset === value}
              onClick={() => update({ range: value, ...(value === 'custom' ? { from: custom.from, to: custom.to } : { from: null, to: null }) })}
            >
              {t(`filter.presets.${value}`)}
            </button>
          ))}
        </fieldset>
        {preset === 'custom' ? (
          <>
            <div className="overview-field">
              <label htmlFor="overview-from">{t('filter.from')}</label>
              <input id="overview-from" type="date" value={custom.from} max={custom.to} onChange={(event) => update({ from: event.target.value })} />
            </div>
            <div className="overview-field">
              <label htmlFor="overview-to">{t('filter.to')}</label>
              <input id="overview-to" type="date" value={custom.to} min={custom.from} onChange={(event) => update({ to: event.target.value })} />
            </div>
          </>
        ) : null}
        <div className="overview-field">
          <label htmlFor="overview-interval">{t('filter.interval')}</label>
          <select id="overview-interval" value={interval} onChange={(event) => update({ interval: event.target.value })}>
            {INTERVALS.map((value) => (
              <option key={value} value={value} disabled={range ? !intervalAllowed(value, range) : false}>
                {t(`interval.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="overview-field">
          <label htmlFor="overview-split">{t('filter.split')}</label>
          <select id="overview-split" value={split} onChange={(event) => update({ split: event.target.value })}>
            {SPLITS.map((value) => (
              <option key={value} value={value}>
                {t(`split.${value}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      {viewRange ? (
        <OverviewBody view={{ range: viewRange, interval, split, tenantId, admin: isAdmin }} />
      ) : (
        <p className="error-banner" role="alert">
          {t('filter.badRange')}
        </p>
      )}
    </section>
  );
}

function OverviewBody({ view }: { view: Parameters<typeof useOverview>[0] }) {
  const { t, i18n } = useTranslation('overview');
  const { series, topKeys, topAgents, budgets } = useOverview(view);
  const from = new Intl.DateTimeFormat(i18n.language === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  return (
    <>
      <p className="muted overview-range" data-from={view.range.from.toISOString()} data-to={view.range.to.toISOString()}>
        {t('rangeNote', { from: from.format(view.range.from), to: from.format(view.range.to) })}
      </p>
      <QueryState query={series}>
        {(data) => (
          <>
            <UsageCards totals={data.totals} relativeError={data.latency_relative_error} />
            <UsageCharts series={data} range={view.range} split={view.split} />
            <section className="panel" aria-labelledby="overview-groups">
              <h2 id="overview-groups">{t('groupsTitle', { split: t(`split.${view.split}`) })}</h2>
              <GroupTable groups={data.groups} split={view.split} />
            </section>
          </>
        )}
      </QueryState>
      <section className="panel" aria-labelledby="overview-budgets">
        <h2 id="overview-budgets">{t('budget.title')}</h2>
        <p className="muted">{t('budget.intro')}</p>
        {view.admin && view.tenantId === null ? (
          <p className="muted">{t('budget.chooseTenant')}</p>
        ) : (
          <QueryState query={budgets}>{(data) => <BudgetsTable budgets={data.data} />}</QueryState>
        )}
      </section>
      <div className="grid-2 overview-top">
        <section className="panel" aria-labelledby="overview-top-keys">
          <h2 id="overview-top-keys">{t('top.keys')}</h2>
          <QueryState query={topKeys}>{(data) => <TopSpenders rows={data.data} kind="key" />}</QueryState>
        </section>
        <section className="panel" aria-labelledby="overview-top-agents">
          <h2 id="overview-top-agents">{t('top.agents')}</h2>
          <QueryState query={topAgents}>{(data) => <TopSpenders rows={data.data} kind="agent" />}</QueryState>
        </section>
      </div>
    </>
  );
}
