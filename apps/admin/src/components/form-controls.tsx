import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";
import { Button, cx, type ButtonProps } from "@agrinet/ui";

export const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-emerald-600 focus:outline-2 focus:outline-emerald-600 aria-[invalid=true]:border-red-600";

/** A labelled input with an optional hint and the server's message for this field. */
export function TextField({
  id,
  label,
  hint,
  error,
  className,
  ...rest
}: InputHTMLAttributes<HTMLInputElement> & { id: string; label: string; hint?: ReactNode; error?: string | null }) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} className={inputClass} {...rest} />
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function SelectField({
  id,
  label,
  className,
  children,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & { id: string; label: string }) {
  return (
    <div className={className}>
      <label htmlFor={id} className="text-sm font-medium text-slate-800">
        {label}
      </label>
      <select id={id} className={cx(inputClass, "pr-8")} {...rest}>
        {children}
      </select>
    </div>
  );
}

/**
 * The last rows of a dialog's form: the error no single field owns, then Cancel and submit.
 * Cancel is off while the request runs, so the dialog cannot close under it.
 */
export function FormActions({
  error,
  busy,
  onCancel,
  submitLabel,
  submitVariant,
  submitDisabled,
}: {
  error?: string | null;
  busy: boolean;
  onCancel: () => void;
  submitLabel: string;
  submitVariant?: ButtonProps["variant"];
  submitDisabled?: boolean;
}) {
  return (
    <>
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant={submitVariant} busy={busy} disabled={submitDisabled}>
          {submitLabel}
        </Button>
      </div>
    </>
  );
}

/** The server's message for one field (`error.data.fields`), if it named that field. */
export function fieldError(error: unknown, path: string): string | null {
  const fields = (error as { data?: { fields?: Array<{ path: string; message: string }> } } | null)?.data?.fields;
  return fields?.find((field) => field.path === path)?.message ?? null;
}

export { DateTime } from "@agrinet/ui";
