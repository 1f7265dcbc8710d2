import type { Agent, AgentDefinition } from '@contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorBanner } from '../../components/QueryState';
import { type AgentDraft, definitionOfDraft, draftOf, emptyDraft, parseYaml, yamlOf } from './agent-draft';
import { AgentForm, fieldOfParam } from './AgentForm';
import { createAgent, definitionOf, listModelNames, updateAgent } from './agents-api';

type Mode = 'form' | 'yaml';

/**
 * Writes an agent, as a form or as YAML (switching carries the definition across). Saving a change makes a
 * new version and serves it; a YAML syntax error is shown with its line, the hub's 400 with the field it names.
 */
export function AgentEditor({ tenantId, agent, onSaved }: { tenantId: string | null; agent: Agent | null; onSaved: (agent: Agent) => void }) {
  const { t } = useTranslation(['agents', 'common']);
  const session = useSession();
  const queryClient = useQueryClient();
  const ids = useId();
  const initial = agent ? draftOf(definitionOf(agent)) : emptyDraft();
  const [mode, setMode] = useState<Mode>('form');
  const [draft, setDraft] = useState<AgentDraft>(initial);
  const [yaml, setYaml] = useState<string>(() => yamlOf(definitionOfDraft(initial)));
  const [yamlProblem, setYamlProblem] = useState<{ message: string; line: number | null; column: number | null } | null>(null);
  const models = useQuery({ queryKey: ['agents', 'model-names', session.isAdmin], queryFn: listModelNames, enabled: session.isAdmin || session.can('inference'), retry: false });

  const save = useMutation({
    mutationFn: (definition: AgentDefinition) => (agent ? updateAgent(tenantId, agent.name, definition) : createAgent(tenantId, definition)),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['agents'] });
      onSaved(saved);
    },
  });

  const switchTo = (next: Mode) => {
    if (next === mode) return;
    if (next === 'yaml') {
      setYaml(yamlOf(definitionOfDraft(draft)));
      setYamlProblem(null);
      setMode('yaml');
      return;
    }
    const parsed = parseYaml(yaml);
    if (!parsed.ok) {
      setYamlProblem(parsed);
      return;
    }
    setDraft(draftOf(parsed.definition));
    setMode('form');
  };

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    save.reset();
    if (mode === 'form') {
      save.mutate(definitionOfDraft(draft));
      return;
    }
    const parsed = parseYaml(yaml);
    if (!parsed.ok) {
      setYamlProblem(parsed);
      return;
    }
    setYamlProblem(null);
    save.mutate(parsed.definition);
  };

  const apiError = save.error instanceof ApiError ? save.error : null;
  const problem = apiError ? { field: fieldOfParam(apiError.param), message: apiError.message } : null;
  const yamlMessage = yamlProblem
    ? yamlProblem.message === 'not-a-mapping'
      ? t('yaml.notMapping')
      : yamlProblem.line !== null
        ? t('yaml.syntaxAt', { line: yamlProblem.line, column: yamlProblem.column ?? 1, message: yamlProblem.message })
        : t('yaml.syntax', { message: yamlProblem.message })
    : null;

  return (
    <form className="agent-editor" onSubmit={submit} noValidate>
      <fieldset className="segmented">
        <legend>{t('editor.mode')}</legend>
        {(['form', 'yaml'] as const).map((option) => (
          <label key={option} className="inline">
            <input type="radio" name={`${ids}-mode`} value={option} checked={mode === option} onChange={() => switchTo(option)} />
            <span>{t(`editor.${option}`)}</span>
          </label>
        ))}
      </fieldset>
      {mode === 'form' ? (
        <AgentForm draft={draft} onChange={setDraft} isNew={agent === null} modelNames={models.data ?? []} problem={problem} />
      ) : (
        <label>
          <span>{t('yaml.label')}</span>
          <textarea
            name="yaml"
            className="agent-yaml"
            rows={Math.min(40, Math.max(14, yaml.split('\n').length + 2))}
            spellCheck={false}
            value={yaml}
            onChange={(event) => {
              setYaml(event.target.value);
              setYamlProblem(null);
            }}
            aria-describedby={yamlMessage ? `${ids}-yaml-error` : undefined}
            aria-invalid={yamlMessage ? true : undefined}
          />
        </label>
      )}
      {yamlMessage ? (
        <div id={`${ids}-yaml-error`} className="error-banner" role="alert">
          {yamlMessage}
        </div>
      ) : null}
      {save.isError ? (
        <div className="agent-save-error">
          <ErrorBanner error={save.error} />
          {apiError?.param ? <p className="field-error">{t('editor.field', { field: apiError.param })}</p> : null}
        </div>
      ) : null}
      <div className="page-actions">
        <button type="submit" className="button" disabled={save.isPending}>
          {agent ? t('editor.saveVersion') : t('editor.create')}
        </button>
      </div>
    </form>
  );
}
