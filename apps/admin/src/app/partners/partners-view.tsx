"use client";
import { Button, Card, EmptyState, LoadingRows, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../auth/use-can";
import { DateTime } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { ApiKeysView } from "../api-keys/api-keys-view";
import { CreatePartnerDialog } from "./create-partner-dialog";

type Partner = { id: string; name: string };

/** The partners, and below them the keys of the one chosen: issue (secret shown once) and revoke. */
export function PartnersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canCreate = useCan("partners.create");
  const canListKeys = useCan("auth.listPartnerKeys");
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<Partner | null>(null);

  const partners = useQuery(trpc.partners.list.queryOptions({}));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.partners.list.queryKey() });

  return (
    <div className="flex flex-col gap-6">
      <Card
        id="partners"
        title="Partners"
        description="Oldest first, with each partner's live keys and the users whose home partner it is."
        actions={canCreate ? <Button onClick={() => setCreating(true)}>Create partner</Button> : null}
      >
        {partners.isPending ? (
          <LoadingRows label="Loading partners…" />
        ) : partners.isError ? (
          <QueryError error={partners.error} what="the partners" onRetry={() => void partners.refetch()} />
        ) : partners.data.items.length === 0 ? (
          <EmptyState title="No partners yet">{canCreate ? "Create one for each partner app." : "An admin creates partners."}</EmptyState>
        ) : (
          <Table caption="Partners">
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Partner id</Th>
                <Th align="right">Live keys</Th>
                <Th align="right">Users</Th>
                <Th>Created</Th>
                {canListKeys ? (
                  <Th className="sticky right-0 bg-slate-50">
                    <span className="sr-only">Actions</span>
                  </Th>
                ) : null}
              </tr>
            </THead>
            <TBody>
              {partners.data.items.map((partner) => (
                <Tr key={partner.id} data-testid="partner-row" data-partner-id={partner.id}>
                  <Td className="font-medium text-slate-900">{partner.name}</Td>
                  <Td className="font-mono text-xs">{partner.id}</Td>
                  <Td align="right">{partner.keyCount}</Td>
                  <Td align="right">{partner.userCount}</Td>
                  <Td>
                    <DateTime iso={partner.createdAt} />
                  </Td>
                  {canListKeys ? (
                    <Td align="right" className="sticky right-0 bg-white">
                      <Button
                        variant="secondary"
                        size="sm"
                        aria-label={`Keys of ${partner.name}`}
                        aria-pressed={selected?.id === partner.id}
                        onClick={() => setSelected({ id: partner.id, name: partner.name })}
                      >
                        Keys
                      </Button>
                    </Td>
                  ) : null}
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </Card>

      {/* Keyed by partner so a half-filled key form never carries over to another partner. */}
      {selected && canListKeys ? <ApiKeysView key={selected.id} partner={selected} /> : null}

      {canCreate ? (
        <CreatePartnerDialog
          open={creating}
          onClose={() => setCreating(false)}
          onCreated={(partner) => {
            setCreating(false);
            setSelected({ id: partner.id, name: partner.name });
            void refresh();
          }}
        />
      ) : null}
    </div>
  );
}
