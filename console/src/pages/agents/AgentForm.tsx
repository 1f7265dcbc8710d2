import type { AgentToolDefinition } from '@contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentDraft } from './agent-draft';
import { BUILTIN_TOOLS, DEFAULT_LIMITS } from './agents-api';

/** The form field a hub 400's `param` names (`limits.max_turns` → `maxTurns`, `tools.0.name` → `tools`). */
export function fieldOfParam(param: string | null): string | null {
  if (!param) return null;
  const [head, next] = param.split('.');
  if (head === 'limits') {
    return { max_turns: 'maxTurns', max_tool_calls: 'maxToolCalls', max_cost_usd: 'maxCostUsd', timeout_s: 'timeoutS' }[next ?? ''] ?? 'limits';
  }
  return head ?? null;
}

interface FieldProblem {
  field: string | null;
  message: string;
}

/** Describes a field by the error the hub gave for it, so a screen reader hears it with the field. */
function invalid(field: string, problem: FieldProblem | null) {
  return problem?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': `agent-error-${field}` } : {};
}

function FieldError({ field, problem }: { field: string; problem: FieldProblem | null }) {
  if (problem?.field !== field) return null;
  return (
    <span id={`agent-error-${field}`} className="field-error">
      {problem.message}
    </span>
  );
}

/**
 * The definition as a form: model, instructions, tools, hand-offs and limits. Tools other than the builtin
 * ones keep what YAML gave them; the form changes their approval or removes them.
 */
export function AgentForm({
  draft,
  onChange,
  isNew,
  modelNames,
  problem,
}: {
  draft: AgentDraft;
  onChange: (draft: AgentDraft) => void;
  isNew: boolean;
  modelNames: string[];
  problem: FieldProblem | null;
}) {
  const { t } = useTranslation(['agents', 'common']);
  const [adding, setAdding] = useState<string>(BUILTIN_TOOLS[0]);
  const set = <K extends keyof AgentDraft>(key: K, value: AgentDraft[K]) => onChange({ ...draft, [key]: value });
  const setTool = (index: number, tool: AgentToolDefinition) => set('tools', draft.tools.map((current, at) => (at === index ? tool : current)));
  return (
    <div className="agent-form">
      <div className="grid-2">
        <label>
          <span>{t('form.name')}</span>
          <input name="name" value={draft.name} readOnly={!isNew} onChange={(event) => set('name', event.target.value)} autoComplete="off" {...invalid('name', problem)} />
          <FieldError field="name" problem={problem} />
        </label>
        <label>
          <span>{t('form.model')}</span>
          <input name="model" list="agent-model-names" value={draft.model} onChange={(event) => set('model', event.target.value)} autoComplete="off" {...invalid('model', problem)} />
          <datalist id="agent-model-names">
            {modelNames.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <FieldError field="model" problem={problem} />
        </label>
      </div>
      <label>
        <span>{t('form.instructions')}</span>
        <textarea name="instructions" rows={6} value={draft.instructions} onChange={(event) => set('instructions', event.target.value)} {...invalid('instructions', problem)} />
        <FieldError field="instructions" problem={problem} />
      </label>
      <fieldset className="agent-tools" {...(problem?.field === 'tools' ? { 'aria-describedby': 'agent-error-tools' } : {})}>
        <legend>{t('form.tools')}</legend>
        <FieldError field="tools" problem={problem} />
        {draft.tools.length === 0 ? <p className="muted">{t('form.noTools')}</p> : null}
        <ul>
          {draft.tools.map((tool, index) => (
            <li key={`${tool.type}-${tool.name}-${index}`} className="agent-tool">
              <span className="badge">{t(`toolType.${tool.type}`, { defaultValue: tool.type })}</span>
              {tool.type === 'builtin' ? (
                <label className="inline">
                  <span>{t('form.toolName')}</span>
                  <select value={tool.name} onChange={(event) => setTool(index, { ...tool, name: event.target.value })}>
                    {BUILTIN_TOOLS.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                </label>
              ) : (
                <>
                  <code>{tool.name}</code> <span className="muted">{t('form.editInYaml')}</span>
                </>
              )}
              <label className="inline">
                <span>{t('form.approval')}</span>
                <select value={tool.approval ?? 'never'} onChange={(event) => setTool(index, { ...tool, approval: event.target.value as 'never' | 'always' })}>
                  <option value="never">{t('form.approvalNever')}</option>
                  <option value="always">{t('form.approvalAlways')}</option>
                </select>
              </label>
              <button type="button" className="button secondary" onClick={() => set('tools', draft.tools.filter((_, at) => at !== index))}>
                {t('form.removeTool', { name: tool.name })}
              </button>
            </li>
          ))}
        </ul>
        <div className="agent-add-tool">
          <label className="inline">
            <span>{t('form.builtinTool')}</span>
            <select name="addTool" value={adding} onChange={(event) => setAdding(event.target.value)}>
              {BUILTIN_TOOLS.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button secondary" onClick={() => set('tools', [...draft.tools, { type: 'builtin', name: adding }])}>
            {t('form.addTool')}
          </button>
        </div>
      </fieldset>
      <label>
        <span>{t('form.handoffs')}</span>
        <input name="handoffs" value={draft.handoffs} onChange={(event) => set('handoffs', event.target.value)} aria-describedby="agent-handoffs-help" {...invalid('handoffs', problem)} />
        <span id="agent-handoffs-help" className="muted">
          {t('form.handoffsHelp')}
        </span>
        <FieldError field="handoffs" problem={problem} />
      </label>
      <fieldset>
        <legend>{t('form.limits')}</legend>
        <FieldError field="limits" problem={problem} />
        <div className="agent-limits">
          <label>
            <span>{t('form.maxTurns')}</span>
            <input name="maxTurns" inputMode="numeric" value={draft.maxTurns} placeholder={String(DEFAULT_LIMITS.max_turns)} onChange={(event) => set('maxTurns', event.target.value)} {...invalid('maxTurns', problem)} />
            <FieldError field="maxTurns" problem={problem} />
          </label>
          <label>
            <span>{t('form.maxToolCalls')}</span>
            <input name="maxToolCalls" inputMode="numeric" value={draft.maxToolCalls} placeholder={String(DEFAULT_LIMITS.max_tool_calls)} onChange={(event) => set('maxToolCalls', event.target.value)} {...invalid('maxToolCalls', problem)} />
            <FieldError field="maxToolCalls" problem={problem} />
          </label>
          <label>
            <span>{t('form.maxCostUsd')}</span>
            <input name="maxCostUsd" inputMode="decimal" value={draft.maxCostUsd} onChange={(event) => set('maxCostUsd', event.target.value)} {...invalid('maxCostUsd', problem)} />
            <FieldError field="maxCostUsd" problem={problem} />
          </label>
          <label>
            <span>{t('form.timeoutS')}</span>
            <input name="timeoutS" inputMode="numeric" value={draft.timeoutS} placeholder={String(DEFAULT_LIMITS.timeout_s)} onChange={(event) => set('timeoutS', event.target.value)} {...invalid('timeoutS', problem)} />
            <FieldError field="timeoutS" problem={problem} />
          </label>
        </div>
      </fieldset>
    </div>
  );
}
