import type { InboxTranscriptMessage } from '@contract';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../components/format';
import { MarkdownText } from '../../components/MarkdownText';
import { ActionError } from './ActionError';

export const REPLY_FIELD_ID = 'inbox-reply';

const contentText = (content: unknown): string => (typeof content === 'string' ? content : JSON.stringify(content, null, 2));

/**
 * The customer's conversation: the customer, the agent, people's replies and notes to the agent, oldest first.
 * Only the agent's messages are markdown; the customer's and people's words stay plain text.
 */
export function Transcript({ messages, agent }: { messages: InboxTranscriptMessage[]; agent: string | null }) {
  const { t, i18n } = useTranslation('inbox');
  const scroller = useRef<HTMLDivElement>(null);
  // The newest message in view, without scrolling the page around it.
  useEffect(() => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [messages.length]);
  if (messages.length === 0) return <p className="muted">{t('transcript.empty')}</p>;
  return (
    <div ref={scroller} className="transcript-scroll" tabIndex={0} role="region" aria-label={t('transcript.heading')}>
    <ol className="transcript">
      {messages.map((message) => {
        const who =
          message.role === 'user'
            ? t('transcript.customer')
            : message.role === 'assistant'
              ? t('transcript.agent', { name: agent ?? '—' })
              : message.role === 'human'
                ? t('transcript.person', { name: message.author ?? '—' })
                : t('transcript.note', { name: message.author ?? '—' });
        return (
          <li key={message.id} className={`message role-${message.role}`}>
            <div className="message-head">
              <strong>{who}</strong>
              <time dateTime={message.created_at}>{formatTime(message.created_at, i18n.language)}</time>
            </div>
            {message.role === 'assistant' && typeof message.content === 'string' ? (
              <MarkdownText className="message-body" text={message.content} />
            ) : (
              <div className="message-body">{contentText(message.content)}</div>
            )}
          </li>
        );
      })}
    </ol>
    </div>
  );
}

/** The reply to the customer: sent into their thread as a person's message (Ctrl+Enter sends). */
export function ReplyBox({ enabled, disabledReason, onSend }: { enabled: boolean; disabledReason: string | null; onSend: (text: string) => Promise<unknown> }) {
  const { t } = useTranslation('inbox');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const content = text.trim();
    if (!content || !enabled || busy) return;
    setBusy(true);
    setError(null);
    setSent(false);
    try {
      await onSend(content);
      setText('');
      setSent(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
  };
  return (
    <form className="reply-box" onSubmit={(event) => void send(event)}>
      <label htmlFor={REPLY_FIELD_ID}>{t('reply.label')}</label>
      <textarea
        id={REPLY_FIELD_ID}
        rows={3}
        value={text}
        disabled={!enabled}
        aria-describedby="inbox-reply-help"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="reply-actions">
        <span id="inbox-reply-help" className="muted">
          {enabled ? t('reply.help') : disabledReason}
        </span>
        <span role="status" className="muted">
          {sent ? t('reply.sent') : ''}
        </span>
        <button type="submit" className="button" disabled={!enabled || busy || text.trim() === ''}>
          {t('reply.send')}
        </button>
      </div>
      <ActionError error={error} onDismiss={() => setError(null)} />
    </form>
  );
}
