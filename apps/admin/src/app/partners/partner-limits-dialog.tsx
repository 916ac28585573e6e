"use client";
import { parseMajorUnits, supportedCurrencies, type CurrencyCode } from "@agrinet/core/money";
import { Dialog } from "@agrinet/ui";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormActions, SelectField, TextField, fieldError } from "../../components/form-controls";
import { useTRPC } from "../../trpc/client";

/**
 * Sets a partner's own daily payout cap in one currency (PATCH /admin/partners/{partnerId}), or
 * removes it so PARTNER_DAILY_PAYOUT_CAP applies again. Typed in major units, sent as exact
 * minor units.
 */
export function PartnerLimitsDialog({
  partner,
  onClose,
  onSaved,
}: {
  partner: { id: string; name: string } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const trpc = useTRPC();
  const [currency, setCurrency] = useState<CurrencyCode>("KES");
  const [cap, setCap] = useState("");
  const [typoError, setTypoError] = useState<string | null>(null);
  const update = useMutation(
    trpc.partners.update.mutationOptions({
      onSuccess: () => {
        reset();
        onSaved();
      },
    }),
  );

  function reset() {
    setCap("");
    setTypoError(null);
    update.reset();
  }

  function close() {
    if (update.isPending) return;
    reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!partner) return;
    const minorUnits = cap.trim() === "" ? null : parseMajorUnits(cap, currency);
    if (cap.trim() !== "" && minorUnits === null) {
      setTypoError(`expected an amount in ${currency}, e.g. 1,000,000.00`);
      return;
    }
    setTypoError(null);
    update.mutate({ partnerId: partner.id, dailyPayoutCaps: [{ currency, cap: minorUnits === null ? null : minorUnits.toString() }] });
  }

  const capError = typoError ?? fieldError(update.error, "dailyPayoutCaps.0.cap");
  return (
    <Dialog
      open={partner !== null}
      onClose={close}
      title={partner ? `Daily payout cap of ${partner.name}` : "Daily payout cap"}
      description="What the partner's payouts created on one UTC day may take in a currency. Failed and cancelled payouts give their amount back; above the cap a payout is refused (422) and nothing is held."
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <SelectField id="limit-currency" label="Currency" value={currency} onChange={(event) => setCurrency(event.target.value as CurrencyCode)}>
          {supportedCurrencies.map((code) => (
            <option key={code} value={code}>
              {code}
            </option>
          ))}
        </SelectField>
        <TextField
          id="limit-cap"
          label={`Daily cap (${currency})`}
          inputMode="decimal"
          value={cap}
          onChange={(event) => setCap(event.target.value)}
          hint="0 stops the partner's payouts in this currency. Empty removes the partner's own cap: the default (PARTNER_DAILY_PAYOUT_CAP) applies again."
          error={capError}
          autoFocus
        />
        <FormActions
          error={update.error && !capError ? update.error.message : null}
          busy={update.isPending}
          onCancel={close}
          submitLabel={cap.trim() === "" ? "Use the default" : "Set cap"}
        />
      </form>
    </Dialog>
  );
}
