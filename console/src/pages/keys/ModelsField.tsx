import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Splits typed text into model names (commas, spaces or new lines between them). */
export const modelNamesOf = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter((name) => name !== '');

export const withModels = (current: readonly string[], added: readonly string[]): string[] => [...new Set([...current, ...added])];

/**
 * The models a key may call: a list of names, a trailing `*` matching a prefix (`gpt-4o*`); empty means
 * every model. `suggestions` (the routed models, for the hub admin) fill a datalist; people type names.
 * `pending` is the text typed but not yet added, so the form can add it on submit.
 */
export function ModelsField({
  value,
  onChange,
  pending,
  onPendingChange,
  suggestions,
}: {
  value: string[];
  onChange: (models: string[]) => void;
  pending: string;
  onPendingChange: (text: string) => void;
  suggestions: string[];
}) {
  const { t } = useTranslation('keys');
  const listId = useId();
  const helpId = useId();
  const [announcement, setAnnouncement] = useState('');
  const add = () => {
    const names = modelNamesOf(pending);
    if (names.length === 0) return;
    onChange(withModels(value, names));
    onPendingChange('');
    setAnnouncement(t('form.modelsAdded', { names: names.join(', ') }));
  };
  return (
    <fieldset className="keys-fieldset">
      <legend>{t('form.models')}</legend>
      <p className="muted" id={helpId}>
        {t('form.modelsHelp')}
      </p>
      <div className="keys-model-add">
        <label>
          <span>{t('form.addModel')}</span>
          <input
            name="model"
            list={suggestions.length > 0 ? listId : undefined}
            value={pending}
            aria-describedby={helpId}
            autoComplete="off"
            onChange={(event) => onPendingChange(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                add();
              }
            }}
          />
        </label>
        <button type="button" className="button secondary" onClick={add}>
          {t('form.add')}
        </button>
      </div>
      {suggestions.length > 0 ? (
        <datalist id={listId}>
          {suggestions.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      ) : null}
      {value.length === 0 ? (
        <p className="muted">{t('form.allModels')}</p>
      ) : (
        <ul className="keys-chips" aria-label={t('form.models')}>
          {value.map((name) => (
            <li key={name}>
              <code>{name}</code>
              <button
                type="button"
                className="keys-chip-remove"
                aria-label={t('form.removeModel', { name })}
                onClick={() => {
                  onChange(value.filter((other) => other !== name));
                  setAnnouncement(t('form.modelRemoved', { name }));
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <span className="sr-only" aria-live="polite">
        {announcement}
      </span>
    </fieldset>
  );
}
