import type { InboxTask, InboxTaskDetail } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../components/format';
import { MarkdownText } from '../../components/MarkdownText';
import { ActionDialog } from './ActionDialog';
import { ActionError } from './ActionError';
import { ApprovalCard } from './ApprovalCard';
import { inboxActions } from './inbox-api';
import { KindBadge, reasonLabel, SlaClock, StatusBadge } from './task-labels';
import { ToolCallForm } from './ToolCallForm';
import { ReplyBox, Transcript } from './Transcript';

export const CLAIM_BUTTON_ID = 'inbox-claim';
const QUEUE_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

type Dialog = 'resolve' | 'handback' | 'transfer' | null;

/**
 * The middle column: the task's state and who holds it, the actions a claim allows, the agent's summary,
 * the proposed call of an approval, the customer's conversation with the reply box, and a tool call on the
 * customer's behalf. `task` is the task as it stands now (lease already judged); `canWork` false shows it read-only.
 */
export function Conversation({
  detail,
  task,
  me,
  canWork,
  now,
  nameOf,
  queues,
  onChanged,
}: {
  detail: InboxTaskDetail;
  task: InboxTask;
  me: string | null;
  canWork: boolean;
  now: number;
  nameOf: (userId: string) => string;
  queues: string[];
  onChanged: (task?: InboxTask) => void;
}) {
  const { t, i18n } = useTranslation(['inbox', 'common']);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const active = task.status === 'open' || task.status === 'claimed';
  const heldByMe = task.status === 'claimed' && task.assignee === me;
  const heldByOther = task.status === 'claimed' && task.assignee !== me;
  const holderName = task.assignee ? nameOf(task.assignee) : '';

  const act = async (action: () => Promise<InboxTask | unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await action();
      onChanged(answer && typeof answer === 'object' && 'object' in answer && answer.object === 'inbox.task' ? (answer as InboxTask) : undefined);
    } catch (caught) {
      setError(caught);
      onChanged();
    } finally {
      setBusy(false);
    }
  };
  // Dialog actions keep their error in the dialog; the page still refreshes.
  const viaDialog = async (action: () => Promise<InboxTask>) => {
    try {
      onChanged(await action());
    } catch (caught) {
      onChanged();
      throw caught;
    }
  };

  const holderLine = !active
    ? t('holder.closed', { status: t(`status.${task.status}`), resolution: task.resolution ?? '—' })
    : heldByMe
      ? t('holder.you', { until: formatTime(task.lease_expires_at, i18n.language) })
      : heldByOther
        ? t('holder.other', { name: holderName })
        : t('holder.open');
  const needClaim = heldByOther ? t('holder.disabledOther', { name: holderName }) : t('holder.disabledOpen');

  return (
    <article className="conversation" aria-labelledby="conversation-heading">
      <header className="conversation-head">
        <div>
          <h2 id="conversation-heading">{task.subject}</h2>
          <p className="conversation-badges">
            <KindBadge task={task} />
            <StatusBadge status={task.status} />
            <span className="badge">{t(`priority.${task.priority}`)}</span>
            <span className="badge">{t('details.queueBadge', { queue: task.queue })}</span>
            <SlaClock task={task} now={now} />
          </p>
          <p className={heldByOther ? 'holder held-other' : 'holder'} data-holder={heldByMe ? 'me' : heldByOther ? 'other' : task.status}>
            {holderLine}
          </p>
        </div>
        {canWork && active ? (
          <div className="conversation-actions">
            {!heldByMe ? (
              <button id={CLAIM_BUTTON_ID} type="button" className="button" aria-keyshortcuts="c" disabled={busy} onClick={() => void act(() => inboxActions.claim(task.id))}>
                {t('actions.claim')}
              </button>
            ) : (
              <button type="button" className="button secondary" disabled={busy} onClick={() => void act(() => inboxActions.release(task.id))}>
                {t('actions.release')}
              </button>
            )}
            <button type="button" className="button secondary" disabled={busy || heldByOther} onClick={() => setDialog('transfer')}>
              {t('actions.transfer')}
            </button>
            {task.kind === 'handoff' ? (
              <>
                <button type="button" className="button secondary" disabled={busy || !heldByMe} onClick={() => setDialog('handback')}>
                  {t('actions.handback')}
                </button>
                <button type="button" className="button" disabled={busy || !heldByMe} onClick={() => setDialog('resolve')}>
                  {t('actions.resolve')}
                </button>
              </>
            ) : null}
          </div>
        ) : null}
      </header>
      {!canWork ? <p className="readonly-note">{t('readOnly')}</p> : null}
      <ActionError error={error} onDismiss={() => setError(null)} />

      <section className="summary-card" aria-labelledby="summary-heading">
        <h3 id="summary-heading">{t('summary.heading', { agent: task.agent ?? '—' })}</h3>
        <MarkdownText className="summary-text" text={task.summary} />
        <p className="muted">{t('summary.reason', { reason: reasonLabel(task.reason, t) })}</p>
      </section>

      {task.kind === 'approval' ? (
        <ApprovalCard
          task={task}
          canDecide={canWork ? task.status === 'open' || heldByMe : null}
          disabledReason={heldByOther ? t('holder.disabledOther', { name: holderName }) : null}
          onApprove={() => viaDialog(() => inboxActions.approve(task.id))}
          onReject={(reason) => viaDialog(() => inboxActions.reject(task.id, reason))}
        />
      ) : null}

      <section className="transcript-panel" aria-labelledby="transcript-heading">
        <h3 id="transcript-heading">{t('transcript.heading')}</h3>
        {detail.thread_id ? <Transcript messages={detail.transcript} agent={task.agent} /> : <p className="muted">{t('transcript.noThread')}</p>}
        {canWork && active && detail.thread_id ? (
          <ReplyBox
            enabled={heldByMe}
            disabledReason={needClaim}
            onSend={async (content) => {
              await inboxActions.reply(task.id, content);
              onChanged();
            }}
          />
        ) : null}
      </section>

      {canWork && active && task.agent ? (
        <details className="tool-panel">
          <summary>{t('tools.heading', { agent: task.agent })}</summary>
          {!heldByMe ? <p className="muted">{needClaim}</p> : null}
          <ToolCallForm
            agent={task.agent}
            enabled={heldByMe}
            onCall={async (tool, args) => {
              const result = await inboxActions.callTool(task.id, tool, args);
              onChanged();
              return result;
            }}
          />
        </details>
      ) : null}

      <ActionDialog
        open={dialog === 'resolve'}
        title={t('dialog.resolveTitle')}
        label={t('dialog.resolveLabel')}
        help={t('dialog.resolveHelp')}
        submit={t('actions.resolveSubmit')}
        required
        onClose={() => setDialog(null)}
        onSubmit={(text) => viaDialog(() => inboxActions.resolve(task.id, text))}
      />
      <ActionDialog
        open={dialog === 'handback'}
        title={t('dialog.handbackTitle')}
        label={t('dialog.handbackLabel')}
        help={t('dialog.handbackHelp')}
        submit={t('actions.handbackSubmit')}
        required={false}
        onClose={() => setDialog(null)}
        onSubmit={(text) => viaDialog(() => inboxActions.handback(task.id, text))}
      />
      <ActionDialog
        open={dialog === 'transfer'}
        title={t('dialog.transferTitle')}
        label={t('dialog.transferLabel')}
        help={t('dialog.transferHelp')}
        submit={t('actions.transferSubmit')}
        required
        multiline={false}
        pattern={QUEUE_PATTERN}
        patternMessage={t('dialog.queueInvalid')}
        suggestions={queues.filter((queue) => queue !== task.queue)}
        onClose={() => setDialog(null)}
        onSubmit={(text) => viaDialog(() => inboxActions.transfer(task.id, text))}
      />
    </article>
  );
}
