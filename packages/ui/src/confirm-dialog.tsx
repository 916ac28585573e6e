"use client";
import type { ReactNode } from "react";
import { Button } from "./button";
import { Dialog } from "./dialog";

export type ConfirmDialogProps = {
  open: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  title: ReactNode;
  /** What will happen, restated in full (amount with currency, the account affected). */
  summary: Array<{ label: string; value: ReactNode }>;
  confirmLabel: string;
  tone?: "primary" | "danger";
  /** The action is running: both buttons wait, so it cannot be sent twice. */
  busy?: boolean;
  /** Why the last attempt failed, shown inside the dialog so the operator can retry. */
  error?: string | null;
  children?: ReactNode;
};

/**
 * The confirmation every money-moving action goes through: it restates exactly what will be
 * done and names the action on the button ("Confirm KES 2,500.00"), never a bare "OK".
 */
export function ConfirmDialog({
  open,
  onCancel,
  onConfirm,
  title,
  summary,
  confirmLabel,
  tone = "primary",
  busy = false,
  error,
  children,
}: ConfirmDialogProps) {
  return (
    <Dialog
      open={open}
      onClose={() => {
        if (!busy) onCancel();
      }}
      title={title}
      footer={
        <>
          <Button variant="secondary" onClick={onCancel} disabled={busy} autoFocus>
            Cancel
          </Button>
          <Button variant={tone} onClick={onConfirm} busy={busy}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <dl className="divide-y divide-slate-100 rounded-md border border-slate-200 text-sm">
        {summary.map((row) => (
          <div key={row.label} className="flex justify-between gap-4 px-3 py-2">
            <dt className="text-slate-600">{row.label}</dt>
            <dd className="text-right font-medium text-slate-900">{row.value}</dd>
          </div>
        ))}
      </dl>
      {children}
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
