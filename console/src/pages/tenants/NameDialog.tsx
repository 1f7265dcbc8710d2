import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';
import { ErrorBanner } from '../../components/QueryState';

/** A dialog asking for one name (a tenant's, a project's); the hub's message shows next to the field on a refusal. */
export function NameDialog({
  title,
  label,
  help,
  submit,
  onSave,
  onClose,
}: {
  title: string;
  label: string;
  help?: string;
  submit: string;
  onSave: (name: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t } = useTranslation('common');
  const [name, setName] = useState('');
  const save = useMutation({ mutationFn: () => onSave(name.trim()), onSuccess: onClose });
  return (
    <Dialog title={title} open onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!save.isPending) save.mutate();
        }}
      >
        <label>
          <span>{label}</span>
          <input name="name" value={name} required maxLength={200} autoComplete="off" onChange={(event) => setName(event.target.value)} />
          {help ? <small className="muted">{help}</small> : null}
        </label>
        {save.isError ? <ErrorBanner error={save.error} /> : null}
        <div className="dialog-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" className="button" aria-disabled={save.isPending}>
            {submit}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
