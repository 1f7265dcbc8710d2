import { CopyButton } from './CopyButton';

/**
 * A secret the hub returns once (a new key): shown with a copy button and a note that it will not be
 * shown again. The texts come from the page's catalogue.
 */
export function SecretOnce({ secret, label, note, copyLabel }: { secret: string; label: string; note: string; copyLabel: string }) {
  return (
    <div className="secret-once">
      <p className="secret-note" role="status">
        {note}
      </p>
      <p className="secret-label">{label}</p>
      <div className="secret-row">
        <code className="secret" data-testid="secret">
          {secret}
        </code>
        <CopyButton text={secret} label={copyLabel} />
      </div>
    </div>
  );
}
