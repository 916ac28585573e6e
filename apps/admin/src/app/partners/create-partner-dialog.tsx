"use client";
import { Dialog } from "@agrinet/ui";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormActions, TextField, fieldError } from "../../components/form-controls";
import { useTRPC } from "../../trpc/client";

export function CreatePartnerDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (partner: { id: string; name: string }) => void;
}) {
  const trpc = useTRPC();
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.partners.create.mutationOptions({
      onSuccess: (partner) => {
        setName("");
        create.reset();
        onCreated(partner);
      },
    }),
  );

  function close() {
    if (create.isPending) return;
    setName("");
    create.reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name });
  }

  return (
    <Dialog open={open} onClose={close} title="Create a partner" description="A tenant: its keys see and move only its own users' money.">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <TextField
          id="partner-name"
          label="Name"
          required
          maxLength={100}
          value={name}
          onChange={(event) => setName(event.target.value)}
          hint="The partner app's or organisation's name, e.g. a cooperative's app."
          error={fieldError(create.error, "name")}
          autoFocus
        />
        <FormActions
          error={create.error && !fieldError(create.error, "name") ? create.error.message : null}
          busy={create.isPending}
          onCancel={close}
          submitLabel="Create partner"
        />
      </form>
    </Dialog>
  );
}
