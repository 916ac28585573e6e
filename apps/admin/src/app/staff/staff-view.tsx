"use client";
import type { StaffRole } from "@agrinet/router";
import { Button, Card, ConfirmDialog, EmptyState, LoadingRows, StatusPill, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../auth/use-can";
import { DateTime } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { CreateStaffDialog } from "./create-staff-dialog";
import { roleDescriptions, roles } from "./roles";

type StaffUser = { id: string; email: string; name: string; role: StaffRole; disabledAt: string | null };
type Change = { user: StaffUser; role?: StaffRole; disabled?: boolean };

export function StaffView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canCreate = useCan("auth.createStaffUser");
  const canUpdate = useCan("auth.updateStaffUser");
  const [creating, setCreating] = useState(false);
  const [change, setChange] = useState<Change | null>(null);

  const me = useQuery(trpc.auth.me.queryOptions());
  const users = useQuery(trpc.auth.listStaffUsers.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.listStaffUsers.queryKey() });
  const myId = me.data?.kind === "staff" ? me.data.userId : null;

  const update = useMutation(
    trpc.auth.updateStaffUser.mutationOptions({
      onSuccess: async () => {
        setChange(null);
        await refresh();
      },
    }),
  );

  function ask(next: Change) {
    update.reset();
    setChange(next);
  }

  return (
    <>
      <Card
        id="staff-users"
        title="Dashboard users"
        actions={canCreate ? <Button onClick={() => setCreating(true)}>Add user</Button> : null}
      >
        {users.isPending ? (
          <LoadingRows label="Loading staff users…" />
        ) : users.isError ? (
          <QueryError error={users.error} what="the staff users" onRetry={() => void users.refetch()} />
        ) : users.data.length === 0 ? (
          <EmptyState title="No staff users">Run the seed (pnpm db:seed) to create the first admin.</EmptyState>
        ) : (
          <Table caption="Staff users">
            <THead>
              <tr>
                <Th>Email</Th>
                <Th>Name</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th>Created</Th>
                {canUpdate ? (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </tr>
            </THead>
            <TBody>
              {users.data.map((user) => {
                const self = user.id === myId;
                return (
                  <Tr key={user.id} data-testid="staff-row" data-email={user.email}>
                    <Td className="font-medium text-slate-900">
                      {user.email}
                      {self ? <span className="ml-2 text-xs text-slate-500">(you)</span> : null}
                    </Td>
                    <Td>{user.name}</Td>
                    <Td>
                      {canUpdate && !self ? (
                        <>
                          <label htmlFor={`role-${user.id}`} className="sr-only">
                            Role of {user.email}
                          </label>
                          <select
                            id={`role-${user.id}`}
                            value={user.role}
                            onChange={(event) => ask({ user, role: event.target.value as StaffRole })}
                            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:outline-2 focus:outline-emerald-600"
                          >
                            {roles.map((role) => (
                              <option key={role} value={role}>
                                {role}
                              </option>
                            ))}
                          </select>
                        </>
                      ) : (
                        <span title={self ? "You cannot change your own role" : undefined}>{user.role}</span>
                      )}
                    </Td>
                    <Td>
                      {user.disabledAt ? (
                        <StatusPill tone="neutral" label="disabled" />
                      ) : (
                        <StatusPill tone="success" label="active" />
                      )}
                    </Td>
                    <Td>
                      <DateTime iso={user.createdAt} />
                    </Td>
                    {canUpdate ? (
                      <Td align="right">
                        {self ? null : (
                          <Button
                            variant="secondary"
                            size="sm"
                            aria-label={`${user.disabledAt ? "Enable" : "Disable"} ${user.email}`}
                            onClick={() => ask({ user, disabled: !user.disabledAt })}
                          >
                            {user.disabledAt ? "Enable" : "Disable"}
                          </Button>
                        )}
                      </Td>
                    ) : null}
                  </Tr>
                );
              })}
            </TBody>
          </Table>
        )}
      </Card>

      {canCreate ? <CreateStaffDialog open={creating} onClose={() => setCreating(false)} onCreated={() => void refresh()} /> : null}

      <ConfirmDialog
        open={change !== null}
        onCancel={() => setChange(null)}
        onConfirm={() => change && update.mutate({ userId: change.user.id, role: change.role, disabled: change.disabled })}
        title={
          change?.disabled === true
            ? "Disable this user?"
            : change?.disabled === false
              ? "Enable this user?"
              : "Change this user's role?"
        }
        summary={
          change
            ? [
                { label: "User", value: change.user.email },
                ...(change.role
                  ? [
                      { label: "Role now", value: change.user.role },
                      { label: "New role", value: change.role },
                    ]
                  : [{ label: "Status after", value: change.disabled ? "disabled" : "active" }]),
              ]
            : []
        }
        confirmLabel={
          change?.role ? `Make ${change.role}` : change?.disabled ? `Disable ${change?.user.email ?? ""}` : `Enable ${change?.user.email ?? ""}`
        }
        tone={change?.disabled ? "danger" : "primary"}
        busy={update.isPending}
        error={update.error?.message}
      >
        <p className="text-sm text-slate-700">
          {change?.role
            ? roleDescriptions[change.role]
            : change?.disabled
              ? "Their sessions end now and they cannot sign in until enabled again."
              : "They can sign in again with their password."}
        </p>
      </ConfirmDialog>
    </>
  );
}
