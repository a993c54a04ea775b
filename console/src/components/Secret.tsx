// A secret shown once (a SCIM token, an API token, a link code) with a copy button that says
// whether copying worked.
import { useState } from 'react';
import { useT } from '../i18n/I18n';

export function Secret({ value, warning, testId }: { value: string; warning: string; testId?: string }) {
  const t = useT();
  const [copied, setCopied] = useState<'yes' | 'no'>();
  return (
    <div className="secret-box" role="group" aria-label={warning}>
      <p>
        <strong>{warning}</strong>
      </p>
      <code className="secret" data-testid={testId}>
        {value}
      </code>
      <button
        type="button"
        className="button secondary"
        onClick={() =>
          navigator.clipboard.writeText(value).then(
            () => setCopied('yes'),
            () => setCopied('no'),
          )
        }
      >
        {copied === 'yes' ? t('copied') : copied === 'no' ? t('copyFailed') : t('copy')}
      </button>
    </div>
  );
}

/** A value to copy (the SCIM base URL): read-only, labelled, with a copy button. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-field">
      <label>
        <span className="label">{label}</span>
        <input readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <button type="button" className="button secondary" onClick={() => void navigator.clipboard.writeText(value).then(() => setCopied(true))}>
        {copied ? t('copied') : t('copy')}
      </button>
    </div>
  );
}
