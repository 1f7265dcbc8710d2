import type { ListResponse } from '@contract';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { useSession } from '../../auth/session';
import { PageHeader } from '../../components/PageHeader';
import { ErrorBanner, QueryState } from '../../components/QueryState';
import { type ChatMessage, streamChat } from './chat-stream';
import { type PaneState, PlaygroundPane, type Turn } from './PlaygroundPane';
import { playgroundKey, withPlaygroundKey } from './playground-key';
import { replyCost } from './reply-cost';

let nextTurn = 1;

/** The conversation so far as the model sees it: the system prompt, then every finished exchange. */
function historyOf(pane: PaneState, system: string): ChatMessage[] {
  const messages: ChatMessage[] = system.trim() ? [{ role: 'system', content: system.trim() }] : [];
  for (const turn of pane.turns) {
    if (turn.status === 'error' || !turn.reply) continue;
    messages.push({ role: 'user', content: turn.prompt }, { role: 'assistant', content: turn.reply });
  }
  return messages;
}

/**
 * The playground: chat with any routed model the person's key may use, the reply streamed as it arrives,
 * each reply with its exact cost from the ledger; or two models side by side, one prompt sent to both at once.
 */
export default function PlaygroundPage() {
  const { t } = useTranslation(['playground', 'common']);
  const { me } = useSession();
  const userId = me?.user?.id ?? '';
  const key = useQuery({ queryKey: ['playground', 'key', userId], queryFn: () => playgroundKey(userId), enabled: userId !== '', staleTime: Number.POSITIVE_INFINITY, retry: false });
  const models = useQuery({
    queryKey: ['playground', 'models', userId],
    queryFn: () => withPlaygroundKey(userId, (bearer) => api<ListResponse<{ id: string }>>('/v1/models', { bearer })),
    enabled: key.isSuccess,
  });
  const names = (models.data?.data ?? []).map((model) => model.id);
  const [compare, setCompare] = useState(false);
  const [panes, setPanes] = useState<PaneState[]>([
    { model: '', turns: [] },
    { model: '', turns: [] },
  ]);
  const [prompt, setPrompt] = useState('');
  const [system, setSystem] = useState('');
  const [sending, setSending] = useState(0);
  const stop = useRef<AbortController | null>(null);
  // Cost look-ups outlive a stopped stream, not the page.
  const page = useRef(new AbortController());
  useEffect(() => {
    const controller = page.current;
    return () => {
      controller.abort();
      stop.current?.abort();
    };
  }, []);

  // Each pane starts on a model of its own once the list arrives.
  useEffect(() => {
    if (names.length === 0) return;
    setPanes((previous) => previous.map((pane, index) => (pane.model && names.includes(pane.model) ? pane : { ...pane, model: names[Math.min(index, names.length - 1)] ?? '' })));
  }, [names.join('\n')]);

  const updateTurn = (paneIndex: number, turnId: number, patch: (turn: Turn) => Partial<Turn>) =>
    setPanes((previous) =>
      previous.map((pane, index) => (index === paneIndex ? { ...pane, turns: pane.turns.map((turn) => (turn.id === turnId ? { ...turn, ...patch(turn) } : turn)) } : pane)),
    );

  async function ask(paneIndex: number, pane: PaneState, text: string, signal: AbortSignal): Promise<void> {
    const turn: Turn = { id: nextTurn++, model: pane.model, prompt: text, reply: '', status: 'streaming', error: null, requestId: null, usage: null, cost: null, costState: 'waiting' };
    const messages = [...historyOf(pane, system), { role: 'user' as const, content: text }];
    setPanes((previous) => previous.map((candidate, index) => (index === paneIndex ? { ...candidate, turns: [...candidate.turns, turn] } : candidate)));
    let requestId: string | null = null;
    try {
      const end = await withPlaygroundKey(userId, (bearer) =>
        streamChat(
          bearer,
          { model: pane.model, messages },
          signal,
          (piece) => updateTurn(paneIndex, turn.id, (current) => ({ reply: current.reply + piece })),
          (id) => {
            requestId = id;
            updateTurn(paneIndex, turn.id, () => ({ requestId: id }));
          },
        ),
      );
      updateTurn(paneIndex, turn.id, () => ({ status: end.error ? 'error' : 'done', error: end.error, usage: end.usage }));
    } catch (error) {
      const aborted = signal.aborted || (error as Error).name === 'AbortError';
      updateTurn(paneIndex, turn.id, () => (aborted ? { status: 'stopped' } : { status: 'error', error: (error as Error).message }));
    }
    // A refusal before the stream started has no ledger row; anything that reached the model has one, stopped replies too.
    if (!requestId) {
      updateTurn(paneIndex, turn.id, () => ({ costState: 'missing' }));
      return;
    }
    const row = await replyCost(requestId, page.current.signal).catch(() => null);
    updateTurn(paneIndex, turn.id, () => ({ cost: row, costState: row ? 'ready' : 'missing' }));
  }

  function send() {
    const text = prompt.trim();
    if (!text || sending > 0) return;
    const controller = new AbortController();
    stop.current = controller;
    const active = panes.slice(0, compare ? 2 : 1);
    setPrompt('');
    setSending(active.length);
    for (const [index, pane] of active.entries()) {
      void ask(index, pane, text, controller.signal).finally(() => setSending((count) => count - 1));
    }
  }

  const busy = sending > 0;
  return (
    <section className="playground-page">
      <PageHeader title={t('title')}>
        <p className="muted">{t('intro')}</p>
      </PageHeader>
      {key.isError ? <ErrorBanner error={key.error} onRetry={() => void key.refetch()} /> : null}
      {key.data ? <p className="muted playground-key">{t('keyNote', { prefix: key.data.prefix })}</p> : null}
      <QueryState query={models}>
        {() =>
          names.length === 0 ? (
            <p className="muted">{t('noModels')}</p>
          ) : (
            <>
              <div className="filters">
                <label className="inline">
                  <input type="checkbox" name="compare" checked={compare} disabled={busy} onChange={(event) => setCompare(event.target.checked)} />
                  <span>{t('compare')}</span>
                </label>
                <button
                  type="button"
                  className="button secondary"
                  disabled={busy || panes.every((pane) => pane.turns.length === 0)}
                  onClick={() => setPanes((previous) => previous.map((pane) => ({ ...pane, turns: [] })))}
                >
                  {t('clear')}
                </button>
              </div>
              <div className={compare ? 'playground-panes compare' : 'playground-panes'}>
                {panes.slice(0, compare ? 2 : 1).map((pane, index) => (
                  <PlaygroundPane
                    key={index === 0 ? 'left' : 'right'}
                    index={index}
                    pane={pane}
                    models={names}
                    disabled={busy}
                    onModel={(model) => setPanes((previous) => previous.map((candidate, at) => (at === index ? { ...candidate, model } : candidate)))}
                  />
                ))}
              </div>
              <form
                className="panel playground-prompt"
                aria-label={t('promptForm')}
                onSubmit={(event) => {
                  event.preventDefault();
                  send();
                }}
              >
                <details className="playground-system">
                  <summary>{t('systemPrompt')}</summary>
                  <label>
                    <span className="sr-only">{t('systemPrompt')}</span>
                    <textarea name="system" rows={2} value={system} onChange={(event) => setSystem(event.target.value)} />
                  </label>
                </details>
                <label htmlFor="playground-prompt">
                  <span>{compare ? t('promptBoth') : t('prompt')}</span>
                </label>
                <textarea
                  id="playground-prompt"
                  name="prompt"
                  rows={3}
                  value={prompt}
                  aria-describedby="playground-prompt-help"
                  onChange={(event) => setPrompt(event.target.value)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                      event.preventDefault();
                      send();
                    }
                  }}
                />
                <div className="reply-actions">
                  <span id="playground-prompt-help" className="muted">
                    {t('promptHelp')}
                  </span>
                  {busy ? (
                    <button type="button" className="button danger" onClick={() => stop.current?.abort()}>
                      {t('stop')}
                    </button>
                  ) : null}
                  <button type="submit" className="button" disabled={busy || !prompt.trim() || !panes[0]?.model}>
                    {compare ? t('sendBoth') : t('send')}
                  </button>
                </div>
              </form>
            </>
          )
        }
      </QueryState>
    </section>
  );
}
