// Modal dialogs (React Aria: focus kept inside, Escape and the Close button close, the page
// behind is inert). Errors of what a dialog submits are shown in the dialog, next to the field
// they concern, in the reader's language: never in the page behind the backdrop.
import { type FormEvent, type ReactNode, type RefObject, useRef, useState } from 'react';
import { Button, Dialog, FormContext, FormValidationContext, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { ApiError, type FieldProblem } from '../api/client';
import { type ConsoleKey, useT } from '../i18n/I18n';
import { errorText } from './Notices';

export type FieldErrors = Record<string, string | undefined>;

const present = (e: FieldErrors): Record<string, string> => Object.fromEntries(Object.entries(e).filter((x): x is [string, string] => Boolean(x[1])));
type T = ReturnType<typeof useT>;

/** A server's field check in words, from its code and bound (zod's English is not shown). */
export function fieldMessage(t: T, f: FieldProblem): string {
  const n = f.code === 'too_big' ? f.maximum : f.minimum;
  const key: ConsoleKey | undefined =
    f.code === 'too_big'
      ? f.origin === 'string'
        ? 'field.tooLong'
        : 'field.tooBig'
      : f.code === 'too_small'
        ? f.origin === 'string'
          ? n === 1
            ? 'field.required'
            : 'field.tooShort'
          : 'field.tooSmall'
        : f.code === 'invalid_format'
          ? 'field.invalidFormat'
          : f.code === 'invalid_type'
            ? 'field.required'
            : undefined;
  return t(key ?? 'field.invalid', { n: n ?? 0 });
}

interface DialogFrameProps {
  isOpen: boolean;
  onOpenChange(open: boolean): void;
  title: string;
  children: ReactNode;
}

/** A modal with its title and a Close button that stays reachable on a phone (the dialog scrolls, not the page). */
export function DialogFrame(p: DialogFrameProps) {
  const t = useT();
  return (
    <ModalOverlay isOpen={p.isOpen} onOpenChange={p.onOpenChange} isDismissable className="overlay">
      <Modal className="modal">
        <Dialog className="dialog">
          <div className="dialog-head">
            <Heading slot="title">{p.title}</Heading>
            <Button slot="close" className="icon-button" aria-label={t('close')}>
              ×
            </Button>
          </div>
          {p.children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

interface DialogFormProps {
  submitLabel: string;
  /** Checks in the browser first (required, lengths), so most mistakes never reach the server. */
  validate?(values: Record<string, string>): FieldErrors;
  /** Resolves to close the dialog; throws (an ApiError) to keep it open with its errors shown. */
  onSubmit(values: Record<string, string>): Promise<void>;
  onDone(form: HTMLFormElement): void;
  children: ReactNode;
  danger?: boolean;
}

/**
 * A plain form that hands its errors to the React Aria fields inside (shown beside each, with
 * aria-invalid and aria-describedby). The browser's own checks are off: their messages would
 * be in the browser's language, not the reader's, and a stale one would block the next try.
 */
function ValidatedForm(p: {
  form: RefObject<HTMLFormElement | null>;
  className: string;
  label?: string;
  errors: Record<string, string>;
  onSubmit(e: FormEvent<HTMLFormElement>): void;
  onInput(e: FormEvent<HTMLFormElement>): void;
  children: ReactNode;
}) {
  return (
    <form ref={p.form} className={p.className} aria-label={p.label} noValidate onSubmit={p.onSubmit} onInput={p.onInput}>
      <FormContext.Provider value={{ validationBehavior: 'aria' }}>
        <FormValidationContext.Provider value={p.errors}>{p.children}</FormValidationContext.Provider>
      </FormContext.Provider>
    </form>
  );
}

/** Submitting a form: the browser's checks, then the server's, each error beside its field. */
export function useSubmit(p: Pick<DialogFormProps, 'validate' | 'onSubmit' | 'onDone'>) {
  const t = useT();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const focusFirstError = () => requestAnimationFrame(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const target = e.currentTarget;
    const values = Object.fromEntries([...new FormData(target).entries()].map(([k, v]) => [k, String(v).trim()]));
    const local = present(p.validate?.(values) ?? {});
    setErrors(local);
    setProblem(undefined);
    if (Object.keys(local).length) return focusFirstError();
    setBusy(true);
    try {
      await p.onSubmit(values);
      p.onDone(target);
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) {
        setErrors(Object.fromEntries(err.fields.map((f) => [f.path, fieldMessage(t, f)])));
        setProblem(t('error.fields'));
        focusFirstError();
      } else {
        setProblem(errorText(t, err));
      }
    } finally {
      setBusy(false);
    }
  };
  // An error goes once its field changes, so it never blocks the next try.
  const edited = (e: FormEvent<HTMLFormElement>) => {
    const name = (e.target as HTMLInputElement).name;
    if (name && errors[name]) setErrors(({ [name]: _gone, ...rest }) => rest);
  };
  return { errors, problem, busy, submit, form, edited };
}

/** A form inside a dialog, with Cancel and its submit button. */
export function DialogForm(p: DialogFormProps) {
  const t = useT();
  const { errors, problem, busy, submit, form, edited } = useSubmit(p);
  return (
    <ValidatedForm form={form} className="stack" errors={errors} onSubmit={submit} onInput={edited}>
      {p.children}
      {problem && (
        <p role="alert" className="dialog-error">
          {problem}
        </p>
      )}
      <div className="dialog-actions">
        <Button slot="close" className="button secondary">
          {t('cancel')}
        </Button>
        <Button type="submit" className={p.danger ? 'button danger' : 'button'} isDisabled={busy}>
          {busy ? t('busy') : p.submitLabel}
        </Button>
      </div>
    </ValidatedForm>
  );
}

/** A form on the page (invite, create a vault): same checks, errors beside the fields. */
export function InlineForm(p: Omit<DialogFormProps, 'onDone'> & { label: string; onDone?(form: HTMLFormElement): void }) {
  const t = useT();
  const { errors, problem, busy, submit, form, edited } = useSubmit({ ...p, onDone: (f) => (p.onDone ? p.onDone(f) : f.reset()) });
  return (
    <ValidatedForm form={form} className="toolbar" label={p.label} errors={errors} onSubmit={submit} onInput={edited}>
      {p.children}
      <Button type="submit" className="button" isDisabled={busy}>
        {busy ? t('busy') : p.submitLabel}
      </Button>
      {problem && (
        <p role="alert" className="form-error">
          {problem}
        </p>
      )}
    </ValidatedForm>
  );
}

interface ConfirmProps {
  isOpen: boolean;
  onOpenChange(open: boolean): void;
  /** Names the target: "Unlink Bäckerei Schmidt?" */
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): Promise<unknown>;
}

/** Every destructive action asks first, naming what it acts on; a refusal stays in the dialog. */
export function ConfirmDialog(p: ConfirmProps) {
  const t = useT();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await p.onConfirm();
      p.onOpenChange(false);
    } catch (err) {
      setProblem(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <ModalOverlay
      isOpen={p.isOpen}
      onOpenChange={(open) => {
        if (!open) setProblem(undefined);
        p.onOpenChange(open);
      }}
      isDismissable
      className="overlay"
    >
      <Modal className="modal">
        <Dialog role="alertdialog" className="dialog">
          <Heading slot="title">{p.title}</Heading>
          <div className="stack">{p.children}</div>
          {problem && (
            <p role="alert" className="dialog-error">
              {problem}
            </p>
          )}
          <div className="dialog-actions">
            <Button slot="close" className="button secondary" autoFocus>
              {t('cancel')}
            </Button>
            <Button className="button danger" isDisabled={busy} onPress={() => void confirm()}>
              {busy ? t('busy') : p.confirmLabel}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
