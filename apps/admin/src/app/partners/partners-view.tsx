"use client";
import { Button, Card, EmptyState, LoadingRows, Money, Table, TBody, THead, Td, Th, Tr } from "@agrinet/ui";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../auth/use-can";
import { DateTime } from "../../components/form-controls";
import { QueryError } from "../../components/query-error";
import { useTRPC } from "../../trpc/client";
import { ApiKeysView } from "../api-keys/api-keys-view";
import { CreatePartnerDialog } from "./create-partner-dialog";
import { PartnerLimitsDialog } from "./partner-limits-dialog";

type PayoutLimit = { currency: string; cap: string | null; source: "partner" | "default" | "none"; usedToday: string; remainingToday: string | null };

/** One line per currency: the cap (and whose), what today's payouts took and what remains. */
function PayoutLimits({ limits }: { limits: PayoutLimit[] }) {
  if (limits.length === 0) return <span className="text-slate-500">No cap</span>;
  return (
    <ul className="flex flex-col gap-1">
      {limits.map((limit) => (
        <li key={limit.currency} data-testid="payout-limit" data-currency={limit.currency} className="text-xs">
          {limit.cap === null ? (
            <span className="text-slate-500">{limit.currency}: no cap</span>
          ) : (
            <>
              <Money amount={limit.cap} currency={limit.currency} />
              <span className="text-slate-500"> {limit.source === "partner" ? "(own)" : "(default)"}</span>
            </>
          )}
          <span className="block text-slate-500">
            today <Money amount={limit.usedToday} currency={limit.currency} />
            {limit.remainingToday !== null ? (
              <>
                , left <Money amount={limit.remainingToday} currency={limit.currency} />
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

type Partner = { id: string; name: string };

/** The partners, and below them the keys of the one chosen: issue (secret shown once) and revoke. */
export function PartnersView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canCreate = useCan("partners.create");
  const canListKeys = useCan("auth.listPartnerKeys");
  const canSetLimits = useCan("partners.update");
  const [creating, setCreating] = useState(false);
  const [limiting, setLimiting] = useState<Partner | null>(null);
  const [selected, setSelected] = useState<Partner | null>(null);

  const partners = useQuery(trpc.partners.list.queryOptions({}));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.partners.list.queryKey() });

  return (
    <div className="flex flex-col gap-6">
      <Card
        id="partners"
        title="Partners"
        description="Oldest first, with each partner's live keys, the users whose home partner it is, and its daily payout caps (UTC day) with what today's payouts took."
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
                <Th>Daily payout cap</Th>
                <Th>Created</Th>
                {canListKeys || canSetLimits ? (
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
                    <PayoutLimits limits={partner.payoutLimits} />
                  </Td>
                  <Td>
                    <DateTime iso={partner.createdAt} />
                  </Td>
                  {canListKeys || canSetLimits ? (
                    <Td align="right" className="sticky right-0 bg-white">
                      <div className="flex justify-end gap-2">
                        {canSetLimits ? (
                          <Button
                            variant="secondary"
                            size="sm"
                            aria-label={`Daily payout cap of ${partner.name}`}
                            onClick={() => setLimiting({ id: partner.id, name: partner.name })}
                          >
                            Cap
                          </Button>
                        ) : null}
                        {canListKeys ? (
                          <Button
                            variant="secondary"
                            size="sm"
                            aria-label={`Keys of ${partner.name}`}
                            aria-pressed={selected?.id === partner.id}
                            onClick={() => setSelected({ id: partner.id, name: partner.name })}
                          >
                            Keys
                          </Button>
                        ) : null}
                      </div>
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

      {canSetLimits ? (
        <PartnerLimitsDialog
          partner={limiting}
          onClose={() => setLimiting(null)}
          onSaved={() => {
            setLimiting(null);
            void refresh();
          }}
        />
      ) : null}

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
