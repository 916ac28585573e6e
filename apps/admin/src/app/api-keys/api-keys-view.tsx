"use client";
import type { PartnerScope } from "@agrinet/router";
import { Badge, Button, Card, ConfirmDialog, EmptyState, LoadingRows, StatusPill, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../auth/use-can";
import { DateTime } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { CreateKeyDialog, type KeyPartner } from "./create-key-dialog";

type Key = { id: string; name: string; start: string | null; scopes: string[]; revokedAt: string | null; enabled: boolean };

/** Every key, or with `partner` only that partner's keys (issued for it from the partners page). */
export function ApiKeysView({ partner }: { partner?: KeyPartner } = {}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canCreate = useCan(partner ? "partners.createKey" : "auth.createPartnerKey");
  const canRevoke = useCan("auth.revokePartnerKey");
  const [includeRevoked, setIncludeRevoked] = useState(true);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Key | null>(null);

  const keys = useQuery(trpc.auth.listPartnerKeys.queryOptions({ includeRevoked, partnerId: partner?.id }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.auth.listPartnerKeys.queryKey() }),
      // A partner's live-key count changes with its keys.
      queryClient.invalidateQueries({ queryKey: trpc.partners.list.queryKey() }),
    ]);

  const revoke = useMutation(
    trpc.auth.revokePartnerKey.mutationOptions({
      onSuccess: async () => {
        setRevoking(null);
        await refresh();
      },
    }),
  );

  return (
    <>
      <Card
        id={partner ? "partner-keys" : "api-keys"}
        title={partner ? `Keys of ${partner.name}` : "Partner keys"}
        description={
          partner
            ? `Name, first characters, scopes and last use of every key issued for ${partner.name} (${partner.id}).`
            : "Name, first characters, scopes and last use of every key."
        }
        actions={
          <>
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                checked={includeRevoked}
                onChange={(event) => setIncludeRevoked(event.target.checked)}
                className="size-4 accent-emerald-700"
              />
              Show revoked keys
            </label>
            {canCreate ? <Button onClick={() => setCreating(true)}>{partner ? "Issue key" : "Create key"}</Button> : null}
          </>
        }
      >
        {keys.isPending ? (
          <LoadingRows label="Loading API keys…" />
        ) : keys.isError ? (
          <QueryError error={keys.error} what="the API keys" onRetry={() => void keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <EmptyState title={includeRevoked ? "No API keys yet" : "No active API keys"}>
            {canCreate ? "Create one for each partner app, with only the scopes it needs." : "An admin creates keys for partner apps."}
          </EmptyState>
        ) : (
          <Table caption={partner ? `API keys of ${partner.name}` : "API keys"}>
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Key</Th>
                <Th>Scopes</Th>
                <Th>Created</Th>
                <Th>Last used</Th>
                <Th>Status</Th>
                {canRevoke ? (
                  <Th className="sticky right-0 bg-slate-50">
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </tr>
            </THead>
            <TBody>
              {keys.data.map((key) => (
                <Tr key={key.id} data-testid="api-key-row" data-key-id={key.id}>
                  <Td className="font-medium text-slate-900">{key.name}</Td>
                  <Td className="font-mono text-xs">{key.start ? `${key.start}…` : "—"}</Td>
                  <Td className="whitespace-normal">
                    <ul className="flex min-w-48 flex-wrap gap-1" aria-label={`Scopes of ${key.name}`}>
                      {key.scopes.map((scope) => (
                        <li key={scope}>
                          <Badge tone="info">{scope}</Badge>
                        </li>
                      ))}
                    </ul>
                  </Td>
                  <Td>
                    <DateTime iso={key.createdAt} />
                  </Td>
                  <Td>
                    <DateTime iso={key.lastUsedAt} empty="Never" />
                  </Td>
                  <Td>
                    {key.revokedAt ? (
                      <span className="flex flex-col gap-0.5">
                        <StatusPill tone="neutral" label="revoked" />
                        <span className="text-xs text-slate-500">
                          <DateTime iso={key.revokedAt} />
                        </span>
                      </span>
                    ) : key.enabled ? (
                      <StatusPill tone="success" label="active" />
                    ) : (
                      <StatusPill tone="warning" label="disabled" />
                    )}
                  </Td>
                  {canRevoke ? (
                    <Td align="right" className="sticky right-0 bg-white">
                      {key.revokedAt ? null : (
                        <Button
                          variant="secondary"
                          size="sm"
                          aria-label={`Revoke ${key.name}`}
                          onClick={() => {
                            revoke.reset();
                            setRevoking(key);
                          }}
                        >
                          Revoke
                        </Button>
                      )}
                    </Td>
                  ) : null}
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>

      {canCreate ? (
        <CreateKeyDialog open={creating} onClose={() => setCreating(false)} onCreated={() => void refresh()} partner={partner} />
      ) : null}

      <ConfirmDialog
        open={revoking !== null}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate({ keyId: revoking.id })}
        title="Revoke this API key?"
        summary={[
          { label: "Name", value: revoking?.name ?? "" },
          { label: "Key", value: <span className="font-mono text-xs">{revoking?.start ? `${revoking.start}…` : "—"}</span> },
          { label: "Scopes", value: (revoking?.scopes as PartnerScope[] | undefined)?.join(", ") ?? "" },
        ]}
        confirmLabel={`Revoke ${revoking?.name ?? "key"}`}
        tone="danger"
        busy={revoke.isPending}
        error={revoke.error?.message}
      >
        <p className="text-sm text-slate-700">
          Calls with this key are refused at once (401). This cannot be undone: the partner app needs a new key.
        </p>
      </ConfirmDialog>
    </>
  );
}
