// Labelled form fields: React Aria text fields (errors tied to the input, shown under it) and
// native selects and checkboxes, which phones render best. Every field has a visible label.
import { type ReactNode, useId } from 'react';
import { FieldError, Input, Label, Text, TextArea, TextField } from 'react-aria-components';

interface FieldProps {
  name: string;
  label: string;
  description?: ReactNode;
  type?: 'text' | 'email' | 'password' | 'number' | 'search' | 'url';
  isRequired?: boolean;
  defaultValue?: string;
  value?: string;
  onChange?: (value: string) => void;
  autoComplete?: string;
  inputMode?: 'numeric' | 'email' | 'url' | 'text' | 'search';
  multiline?: boolean;
  isReadOnly?: boolean;
  className?: string;
  autoFocus?: boolean;
}

export function Field(p: FieldProps) {
  return (
    <TextField
      name={p.name}
      type={p.type === 'number' ? 'text' : p.type}
      isRequired={p.isRequired}
      defaultValue={p.defaultValue}
      value={p.value}
      onChange={p.onChange}
      autoComplete={p.autoComplete}
      inputMode={p.type === 'number' ? 'numeric' : p.inputMode}
      isReadOnly={p.isReadOnly}
      autoFocus={p.autoFocus}
      className={`field ${p.className ?? ''}`}
    >
      <Label>{p.label}</Label>
      {p.multiline ? <TextArea rows={2} /> : <Input />}
      {p.description && (
        <Text slot="description" className="hint">
          {p.description}
        </Text>
      )}
      <FieldError className="field-error" />
    </TextField>
  );
}

interface SelectProps {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  value?: string;
  defaultValue?: string;
  onChange?: (value: string) => void;
  isDisabled?: boolean;
}

export function SelectField(p: SelectProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      <select id={id} name={p.name} value={p.value} defaultValue={p.defaultValue} disabled={p.isDisabled} onChange={(e) => p.onChange?.(e.target.value)}>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

interface CheckProps {
  name: string;
  label: string;
  defaultChecked?: boolean;
  isDisabled?: boolean;
  hint?: string;
}

export function Check(p: CheckProps) {
  const id = useId();
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        name={p.name}
        defaultChecked={p.defaultChecked}
        disabled={p.isDisabled}
        aria-describedby={p.hint ? `${id}-hint` : undefined}
      />
      <label htmlFor={id}>{p.label}</label>
      {p.hint && (
        <span id={`${id}-hint`} className="hint">
          {p.hint}
        </span>
      )}
    </div>
  );
}

/** A day (the browser's own date picker, which phones render well). */
export function DateField({ name, label, value, onChange }: { name: string; label: string; value: string; onChange(value: string): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="date" name={name} value={value} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
