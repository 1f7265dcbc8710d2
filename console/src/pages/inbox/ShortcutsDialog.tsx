import { useTranslation } from 'react-i18next';
import { Dialog } from '../../components/Dialog';

const SHORTCUTS = [
  { keys: ['j', '↓'], action: 'next' },
  { keys: ['k', '↑'], action: 'previous' },
  { keys: ['Enter'], action: 'open' },
  { keys: ['c'], action: 'claim' },
  { keys: ['r'], action: 'reply' },
  { keys: ['Ctrl', 'Enter'], action: 'send' },
  { keys: ['?'], action: 'help' },
] as const;

/** The inbox's keyboard shortcuts (they never fire while typing in a field). */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation(['inbox', 'common']);
  return (
    <Dialog title={t('shortcuts.title')} open={open} onClose={onClose}>
      <table className="shortcuts">
        <caption className="sr-only">{t('shortcuts.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('shortcuts.keys')}</th>
            <th scope="col">{t('shortcuts.action')}</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.action}>
              <td>
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 ? <span className="muted">{shortcut.action === 'send' ? ' + ' : ' / '}</span> : null}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
              <td>{t(`shortcuts.do.${shortcut.action}`)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{t('shortcuts.typing')}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} autoFocus>
          {t('common:close')}
        </button>
      </div>
    </Dialog>
  );
}
