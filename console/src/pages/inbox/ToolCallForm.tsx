import type { InboxToolResult } from '@contract';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { ActionError } from './ActionError';
import { argumentsTemplate, fetchAgentTools } from './inbox-api';

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

function parseArguments(text: string): Parsed {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'notObject' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/**
 * Calls one of the agent's tools on the customer's behalf: the tool by name (the agent's tools offered),
 * its arguments as a JSON object — checked here before sending, and by the hub against the tool's schema.
 */
export function ToolCallForm({ agent, enabled, onCall }: { agent: string; enabled: boolean; onCall: (tool: string, args: Record<string, unknown>) => Promise<InboxToolResult> }) {
  const { t } = useTranslation('inbox');
  const tools = useQuery({ queryKey: ['inbox', 'agent-tools', agent], queryFn: ({ signal }) => fetchAgentTools(agent, signal), staleTime: 60_000, retry: false });
  const [tool, setTool] = useState('');
  const [text, setText] = useState('{}');
  const [problem, setProblem] = useState<{ field: 'tool' | 'arguments'; message: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<InboxToolResult | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = (name: string) => {
    setTool(name);
    const known = tools.data?.find((candidate) => candidate.name === name);
    if (known?.parameters && (text.trim() === '' || text.trim() === '{}')) setText(argumentsTemplate(known.parameters));
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    setError(null);
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(tool.trim())) return setProblem({ field: 'tool', message: t('tools.badName') });
    const parsed = parseArguments(text);
    if (!parsed.ok) {
      return setProblem({ field: 'arguments', message: parsed.message === 'notObject' ? t('tools.notObject') : t('tools.badJson', { message: parsed.message }) });
    }
    setProblem(null);
    setBusy(true);
    try {
      setResult(await onCall(tool.trim(), parsed.value));
    } catch (caught) {
      // The hub names the field it refused: show its message there.
      if (caught instanceof ApiError && caught.status === 400 && (caught.param === 'arguments' || caught.param === 'name')) {
        setProblem({ field: caught.param === 'name' ? 'tool' : 'arguments', message: caught.message });
      } else if (caught instanceof ApiError && caught.code === 'tool_not_found') {
        setProblem({ field: 'tool', message: caught.message });
      } else {
        setError(caught);
      }
    } finally {
      setBusy(false);
    }
  };
  const selected = tools.data?.find((candidate) => candidate.name === tool);
  return (
    <form className="tool-form" onSubmit={(event) => void submit(event)} noValidate>
      <label htmlFor="inbox-tool-name">{t('tools.name')}</label>
      <input
        id="inbox-tool-name"
        list="inbox-tool-choices"
        value={tool}
        disabled={!enabled}
        autoComplete="off"
        onChange={(event) => choose(event.target.value)}
        aria-invalid={problem?.field === 'tool' ? true : undefined}
        aria-describedby={problem?.field === 'tool' ? 'inbox-tool-problem' : 'inbox-tool-about'}
      />
      <datalist id="inbox-tool-choices">
        {(tools.data ?? []).map((candidate) => (
          <option key={candidate.name} value={candidate.name} />
        ))}
      </datalist>
      {problem?.field === 'tool' ? (
        <p id="inbox-tool-problem" className="field-error">
          {problem.message}
        </p>
      ) : (
        <p id="inbox-tool-about" className="muted">
          {selected?.description ?? (tools.data && tools.data.length > 0 ? t('tools.choices', { names: tools.data.map((candidate) => candidate.name).join(', ') }) : t('tools.noChoices'))}
        </p>
      )}
      <label htmlFor="inbox-tool-arguments">{t('tools.arguments')}</label>
      <textarea
        id="inbox-tool-arguments"
        rows={5}
        value={text}
        disabled={!enabled}
        spellCheck={false}
        onChange={(event) => setText(event.target.value)}
        aria-invalid={problem?.field === 'arguments' ? true : undefined}
        aria-describedby={problem?.field === 'arguments' ? 'inbox-arguments-problem' : undefined}
      />
      {problem?.field === 'arguments' ? (
        <p id="inbox-arguments-problem" className="field-error">
          {problem.message}
        </p>
      ) : null}
      <div className="tool-actions">
        <button type="submit" className="button secondary" disabled={!enabled || busy}>
          {t('tools.call')}
        </button>
      </div>
      <ActionError error={error} onDismiss={() => setError(null)} />
      {result ? (
        <div className="tool-result" role="status">
          <p>
            <strong>{result.error !== undefined ? t('tools.failed', { tool: result.tool }) : t('tools.done', { tool: result.tool })}</strong>
          </p>
          <pre className="code" tabIndex={0} role="region" aria-label={t('tools.result')}>
            {result.error !== undefined ? result.error : JSON.stringify(result.result ?? result.handoff ?? null, null, 2)}
          </pre>
        </div>
      ) : null}
    </form>
  );
}
