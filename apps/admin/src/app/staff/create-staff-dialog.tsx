"use client";
import type { StaffRole } from "@agrinet/router";
import { Dialog } from "@agrinet/ui";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormActions, SelectField, TextField, fieldError } from "../../components/form-controls";
import { useTRPC } from "../../trpc/client";
import { roleDescriptions, roles } from "./roles";

export function CreateStaffDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const trpc = useTRPC();
  const [role, setRole] = useState<StaffRole>("viewer");
  const create = useMutation(
    trpc.auth.createStaffUser.mutationOptions({
      onSuccess: () => {
        onCreated();
        close();
      },
    }),
  );

  function close() {
    create.reset();
    setRole("viewer");
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    create.mutate({
      email: String(form.get("email") ?? "").trim(),
      name: name || undefined,
      password: String(form.get("password") ?? ""),
      role,
    });
  }

  const generalError = create.error && !["email", "password", "name"].some((path) => fieldError(create.error, path)) ? create.error.message : null;

  return (
    <Dialog open={open} onClose={() => !create.isPending && close()} title="Add a dashboard user">
      <form onSubmit={submit} className="flex flex-col gap-4">
        <TextField id="staff-email" name="email" type="email" label="Email" required autoComplete="off" autoFocus error={fieldError(create.error, "email")} />
        <TextField id="staff-name" name="name" label="Name" maxLength={200} hint="Optional; the email is shown otherwise." error={fieldError(create.error, "name")} />
        <SelectField id="staff-role" label="Role" value={role} onChange={(event) => setRole(event.target.value as StaffRole)}>
          {roles.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </SelectField>
        <p className="-mt-3 text-xs text-slate-500">{roleDescriptions[role]}</p>
        <TextField
          id="staff-password"
          name="password"
          type="password"
          label="Initial password"
          required
          minLength={10}
          autoComplete="new-password"
          hint="At least 10 characters. Give it to them privately; they sign in with it."
          error={fieldError(create.error, "password")}
        />
        <FormActions error={generalError} busy={create.isPending} onCancel={close} submitLabel="Add user" />
      </form>
    </Dialog>
  );
}
