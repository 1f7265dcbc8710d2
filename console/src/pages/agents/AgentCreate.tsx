import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { useAgentTenant } from './agent-tenant';
import { AgentEditor } from './AgentEditor';

/** A new agent, written as a form or as YAML; it starts at version 1. */
export function AgentCreate() {
  const { t } = useTranslation(['agents', 'common']);
  const session = useSession();
  const navigate = useNavigate();
  const { tenantId, ready, link } = useAgentTenant();
  return (
    <section>
      <p>
        <Link to={link('/agents')}>{t('back')}</Link>
      </p>
      <PageHeader title={t('createTitle')} />
      {!session.can('agents:write') ? (
        <p className="muted">{t('common:error.forbidden')}</p>
      ) : ready ? (
        <div className="panel">
          <AgentEditor tenantId={tenantId} agent={null} onSaved={(agent) => void navigate(link(`/agents/${encodeURIComponent(agent.name)}`))} />
        </div>
      ) : null}
    </section>
  );
}
