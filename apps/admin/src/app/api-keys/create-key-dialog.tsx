"use client";
import type { PartnerScope } from "@agrinet/router";
import { Button, Dialog } from "@agrinet/ui";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormActions, TextField, fieldError } from "../../components/form-controls";
import { useTRPC } from "../../trpc/client";
import { allScopes, scopeDescriptions } from "./scopes";

type Created = { name: string; key: string; scopes: string[] };
export type KeyPartner = { id: string; name: string };

/**
 * Two steps in one dialog: the form, then the secret. The secret lives only in this
 * component's state and is dropped when the dialog closes; the API never returns it again.
 * With a `partner`, the key is issued for that partner (`partners.createKey`); without one it
 * belongs to the default partner.
 */
export function CreateKeyDialog({
  open,
  onClose,
  onCreated,
  partner,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
  partner?: KeyPartner;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<PartnerScope[]>([]);
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  const [scopeError, setScopeError] = useState<string | null>(null);

  const onSuccess = (data: Created) => {
    setCreated({ name: data.name, key: data.key, scopes: data.scopes });
    onCreated();
  };
  const createDefault = useMutation(trpc.auth.createPartnerKey.mutationOptions({ onSuccess }));
  const createForPartner = useMutation(trpc.partners.createKey.mutationOptions({ onSuccess }));
  const create = partner ? createForPartner : createDefault;

  function close() {
    if (create.isPending) return;
    setName("");
    setScopes([]);
    setCreated(null);
    setCopied("idle");
    setScopeError(null);
    create.reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (scopes.length === 0) {
      setScopeError("Choose at least one scope.");
      return;
    }
    setScopeError(null);
    if (partner) createForPartner.mutate({ partnerId: partner.id, name, scopes });
    else createDefault.mutate({ name, scopes });
  }

  async function copy(key: string) {
    try {
      await navigator.clipboard.writeText(key);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  }

  if (created) {
    return (
      <Dialog
        open={open}
        onClose={close}
        title="Copy the new key now"
        description={`The key ${created.name}${partner ? ` for ${partner.name}` : ""} (${created.scopes.join(", ")}).`}
        footer={<Button onClick={close}>I have stored the key</Button>}
      >
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
          This is the only time the key is shown. Store it in the partner app&apos;s secret store now. If it is lost,
          revoke it and create another.
        </div>
        <div>
          <label htmlFor="new-api-key" className="text-sm font-medium text-slate-800">
            API key
          </label>
          <div className="mt-1 flex gap-2">
            <input
              id="new-api-key"
              readOnly
              value={created.key}
              data-testid="new-api-key"
              onFocus={(event) => event.currentTarget.select()}
              className="block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs focus:outline-2 focus:outline-emerald-600"
            />
            <Button variant="secondary" onClick={() => void copy(created.key)}>
              Copy
            </Button>
          </div>
          <p aria-live="polite" className="mt-1 h-4 text-xs text-slate-600">
            {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? "Copy failed: select the key and copy it by hand." : ""}
          </p>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={close}
      title={partner ? `Issue a key for ${partner.name}` : "Create an API key"}
      description={
        partner
          ? `The key reads and moves only ${partner.name}'s records. Give it only the scopes the app needs.`
          : "One key per partner app, with only the scopes it needs."
      }
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <TextField
          id="api-key-name"
          label="Name"
          required
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.target.value)}
          hint="Who uses it, e.g. the partner app's name."
          error={fieldError(create.error, "name")}
          autoFocus
        />
        <fieldset aria-describedby={scopeError ? "api-key-scopes-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Scopes</legend>
          <div className="mt-2 grid gap-2 sm:grid-cols-2">
            {allScopes.map((scope) => (
              <label key={scope} className="flex items-start gap-2 text-sm text-slate-800">
                <input
                  type="checkbox"
                  className="mt-0.5 size-4 accent-emerald-700"
                  checked={scopes.includes(scope)}
                  onChange={(event) =>
                    setScopes((current) => (event.target.checked ? [...current, scope] : current.filter((s) => s !== scope)))
                  }
                />
                <span>
                  <span className="font-mono text-xs">{scope}</span>
                  <span className="block text-xs text-slate-500">{scopeDescriptions[scope]}</span>
                </span>
              </label>
            ))}
          </div>
          {scopeError ? (
            <p id="api-key-scopes-error" role="alert" className="mt-1 text-xs text-red-700">
              {scopeError}
            </p>
          ) : null}
        </fieldset>
        <FormActions
          error={create.error && !fieldError(create.error, "name") ? create.error.message : null}
          busy={create.isPending}
          onCancel={close}
          submitLabel={partner ? "Issue key" : "Create key"}
        />
      </form>
    </Dialog>
  );
}
