import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { ActionError } from './ActionError';

/**
 * A dialog asking for the one text an action takes (a resolution, a note to the agent, a queue), then
 * running it; the hub's refusal stays in the dialog so nothing typed is lost.
 */
export function ActionDialog({
  open,
  title,
  label,
  help,
  submit,
  required,
  multiline = true,
  pattern,
  patternMessage,
  suggestions,
  onClose,
  onSubmit,
}: {
  open: boolean;
  title: string;
  label: string;
  help?: string;
  submit: string;
  required: boolean;
  multiline?: boolean;
  pattern?: RegExp;
  patternMessage?: string;
  suggestions?: string[];
  onClose: () => void;
  onSubmit: (text: string) => Promise<unknown>;
}) {
  const { t } = useTranslation(['inbox', 'common']);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setText('');
    setError(null);
    setProblem(null);
    onClose();
  };
  const send = async (event: FormEvent) => {
    event.preventDefault();
    const value = text.trim();
    if (required && !value) return setProblem(t('dialog.required'));
    if (value && pattern && !pattern.test(value)) return setProblem(patternMessage ?? t('dialog.invalid'));
    setProblem(null);
    setBusy(true);
    try {
      await onSubmit(value);
      close();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const field = {
    id: 'inbox-action-text',
    value: text,
    onChange: (event: { target: { value: string } }) => setText(event.target.value),
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': problem ? 'inbox-action-problem' : help ? 'inbox-action-help' : undefined,
    required,
    autoFocus: true,
  } as const;
  return (
    <Dialog title={title} open={open} onClose={close}>
      <form onSubmit={(event) => void send(event)} noValidate>
        <label htmlFor="inbox-action-text">{label}</label>
        {multiline ? <textarea {...field} rows={4} className="inbox-dialog-text" /> : <input {...field} list={suggestions ? 'inbox-action-suggestions' : undefined} />}
        {suggestions ? (
          <datalist id="inbox-action-suggestions">
            {suggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
        ) : null}
        {help && !problem ? (
          <p id="inbox-action-help" className="muted">
            {help}
          </p>
        ) : null}
        {problem ? (
          <p id="inbox-action-problem" className="field-error">
            {problem}
          </p>
        ) : null}
        <ActionError error={error} />
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={close}>
            {t('common:cancel')}
          </button>
          <button type="submit" className="button" disabled={busy}>
            {submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
