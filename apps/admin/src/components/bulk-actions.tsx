"use client";
import { Button, ConfirmDialog, Money } from "@agrinet/ui";
import { useState, type ReactNode } from "react";

/** What a bulk action needs of a row: its id and its money, for the confirmation's totals. */
export type BulkItem = { id: string; amount: string; currency: string };

export type BulkAction<Item extends BulkItem> = {
  key: string;
  /** The bar's button, e.g. "Retry"; the count of eligible rows is added. */
  label: string;
  /** Which selected rows this action applies to (a retry only to failed payouts). */
  eligible: (item: Item) => boolean;
  title: string;
  /** The confirm button, e.g. "Retry 3 payouts": named with its count, never a bare "OK". */
  confirmLabel: (count: number) => string;
  tone?: "primary" | "danger";
  /** What will happen to each, in a sentence. */
  explanation: ReactNode;
  /** Text the action needs, asked once for all of them: a reason (failing), evidence (confirming). */
  reason?: { label: string; type?: "text" | "url" };
  /** One item, through the same procedure as the row's own button. */
  run: (item: Item, reason: string) => Promise<unknown>;
};

type Outcome = { id: string; ok: true } | { id: string; ok: false; message: string };

/** Totals per currency, minor units added as bigint (never floats). */
function totalsByCurrency(items: BulkItem[]): Array<{ currency: string; amount: string; count: number }> {
  const totals = new Map<string, { amount: bigint; count: number }>();
  for (const item of items) {
    const total = totals.get(item.currency) ?? { amount: 0n, count: 0 };
    total.amount += BigInt(item.amount);
    total.count += 1;
    totals.set(item.currency, total);
  }
  return [...totals].map(([currency, { amount, count }]) => ({ currency, amount: amount.toString(), count }));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The selection's bar: one button per action with how many selected rows it applies to, each
 * behind one confirmation restating the count and the totals per currency. Items run one after
 * another through the row action's own procedure, each succeeding or failing on its own; the
 * dialog then lists both.
 */
export function BulkActionBar<Item extends BulkItem>({
  noun,
  selected,
  actions,
  onClear,
  onFinished,
}: {
  /** "payout" / "deposit": the bar says "3 payouts selected". */
  noun: string;
  selected: Item[];
  actions: Array<BulkAction<Item>>;
  onClear: () => void;
  /** After a run: refresh the list (the selection is cleared). */
  onFinished: () => void;
}) {
  // The rows the dialog acts on, frozen when it opens: the list refreshes under it as items go through.
  const [dialog, setDialog] = useState<{ action: BulkAction<Item>; targets: Item[]; selectedCount: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [reason, setReason] = useState("");
  const [reasonMissing, setReasonMissing] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[] | null>(null);
  if (selected.length === 0 && !dialog) return null;
  const plural = (count: number) => `${count} ${noun}${count === 1 ? "" : "s"}`;
  const open = dialog?.action ?? null;
  const targets = dialog?.targets ?? [];
  const leftOut = dialog ? dialog.selectedCount - targets.length : 0;

  async function runAll(action: BulkAction<Item>) {
    setBusy(true);
    const results: Outcome[] = [];
    for (const item of targets) {
      try {
        await action.run(item, reason.trim());
        results.push({ id: item.id, ok: true });
      } catch (error) {
        results.push({ id: item.id, ok: false, message: messageOf(error) });
      }
    }
    setOutcomes(results);
    setBusy(false);
    onFinished();
  }

  function close() {
    setDialog(null);
    setOutcomes(null);
    setReason("");
    setReasonMissing(false);
    if (outcomes) onClear();
  }

  const succeeded = outcomes?.filter((o) => o.ok) ?? [];
  const failed = (outcomes?.filter((o) => !o.ok) ?? []) as Array<Extract<Outcome, { ok: false }>>;
  const needsReason = Boolean(open?.reason) && !reason.trim();

  return (
    <div role="region" aria-label="Selected rows" className="mb-3 flex flex-wrap items-center gap-2 rounded-md bg-emerald-50 px-3 py-2 text-sm" data-testid="bulk-bar">
      <span className="font-medium text-slate-900">{plural(selected.length)} selected</span>
      {actions.map((action) => {
        const count = selected.filter(action.eligible).length;
        return (
          <Button
            key={action.key}
            size="sm"
            variant="secondary"
            disabled={count === 0}
            onClick={() => (setOutcomes(null), setDialog({ action, targets: selected.filter(action.eligible), selectedCount: selected.length }))}
          >
            {`${action.label} ${count}`}
          </Button>
        );
      })}
      <Button size="sm" variant="secondary" onClick={onClear}>
        Clear selection
      </Button>
      {open ? (
        <ConfirmDialog
          open
          onCancel={close}
          onConfirm={() => (outcomes ? close() : needsReason ? setReasonMissing(true) : void runAll(open))}
          title={outcomes ? `${open.title}: done` : open.title}
          summary={[
            { label: noun[0]!.toUpperCase() + noun.slice(1) + "s", value: String(targets.length) },
            ...totalsByCurrency(targets).map((total) => ({
              label: `Total ${total.currency} (${plural(total.count)})`,
              value: <Money amount={total.amount} currency={total.currency} />,
            })),
          ]}
          confirmLabel={outcomes ? "Done" : open.confirmLabel(targets.length)}
          tone={outcomes ? "primary" : (open.tone ?? "primary")}
          busy={busy}
          error={reasonMissing && needsReason ? `${open.reason?.label}: required` : null}
        >
          {outcomes ? (
            <div className="mt-3 flex flex-col gap-2 text-sm" data-testid="bulk-results">
              <p>
                <span data-testid="bulk-succeeded">{succeeded.length}</span> done, <span data-testid="bulk-failed">{failed.length}</span> not done.
              </p>
              {failed.length > 0 ? (
                <ul className="flex flex-col gap-1 text-red-800" aria-label="Not done">
                  {failed.map((outcome) => (
                    <li key={outcome.id}>
                      <span className="font-mono text-xs">{outcome.id}</span>: {outcome.message}
                    </li>
                  ))}
                </ul>
              ) : null}
              {succeeded.length > 0 ? (
                <ul className="flex flex-col gap-1 text-slate-700" aria-label="Done">
                  {succeeded.map((outcome) => (
                    <li key={outcome.id} className="font-mono text-xs">
                      {outcome.id}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : (
            <div className="mt-3 flex flex-col gap-2 text-sm text-slate-700">
              <p>{open.explanation}</p>
              {leftOut > 0 ? (
                <p className="text-slate-600">
                  {plural(leftOut)} of the selection {leftOut === 1 ? "is" : "are"} left out: this action does not apply to {leftOut === 1 ? "it" : "them"}.
                </p>
              ) : null}
              {open.reason ? (
                <label className="flex flex-col gap-1">
                  <span className="font-medium text-slate-800">{open.reason.label}</span>
                  {open.reason.type === "url" ? (
                    <input
                      type="url"
                      value={reason}
                      onChange={(event) => setReason(event.target.value)}
                      placeholder="https://…"
                      className="rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                      required
                    />
                  ) : (
                    <textarea
                      value={reason}
                      onChange={(event) => setReason(event.target.value)}
                      rows={2}
                      className="rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                      required
                    />
                  )}
                </label>
              ) : null}
            </div>
          )}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** The selection of a list page: ids checked, kept with their rows for the bar's totals. */
export function useRowSelection<Item extends BulkItem>(rows: Item[]) {
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const selected = rows.filter((row) => checked.has(row.id));
  const allChecked = rows.length > 0 && selected.length === rows.length;
  return {
    selected,
    isChecked: (id: string) => checked.has(id),
    toggle: (id: string) =>
      setChecked((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    allChecked,
    toggleAll: () => setChecked(allChecked ? new Set() : new Set(rows.map((row) => row.id))),
    clear: () => setChecked(new Set()),
  };
}
