import { useId, useState, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type TextareaHTMLAttributes } from 'react';

interface FieldProps {
  label: string;
  hint?: ReactNode;
  invalid?: boolean;
  /** The id of the message that says what is wrong, read with the field while it is invalid. */
  errorId?: string;
}

/** aria-describedby: the hint, then (while invalid) the error message. */
function describedBy(id: string, hint: ReactNode, invalid: boolean | undefined, errorId: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : null, invalid && errorId ? errorId : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

export function TextField({ label, hint, invalid, errorId, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={invalid || undefined} aria-describedby={describedBy(id, hint, invalid, errorId)} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function TextArea({ label, hint, invalid, errorId, ...input }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={invalid || undefined} aria-describedby={describedBy(id, hint, invalid, errorId)} {...input} />
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** A list of short terms: type one and press Enter (or Add); each chip has its own remove button. */
export function TermList({
  label,
  hint,
  value,
  onChange,
}: {
  label: string;
  hint?: string;
  value: string[];
  onChange: (terms: string[]) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');
  const add = () => {
    const term = draft.trim();
    if (term && !value.includes(term)) onChange([...value, term]);
    setDraft('');
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      add();
    }
  };
  return (
    <fieldset className="terms">
      <legend>{label}</legend>
      {hint && <small className="hint">{hint}</small>}
      <ul aria-label={label}>
        {value.map((term) => (
          <li key={term} className="chip">
            {term}
            <button
              type="button"
              aria-label={`Remove ${term} from ${label.toLowerCase()}`}
              onClick={() => onChange(value.filter((t) => t !== term))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <label htmlFor={id} className="visually-hidden">
          Add to {label.toLowerCase()}
        </label>
        <input id={id} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} placeholder="Type and press Enter" />
        <button type="button" className="secondary" onClick={add}>
          Add
        </button>
      </div>
    </fieldset>
  );
}
