"use client";
import { formatDateTime, Button, Card, EmptyState, LoadingRows, Money, Pager, useKeysetPages } from "@agrinet/ui";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { QueryError } from "../../components/query-error";
import { FilterSelect } from "../../components/filter-select";
import { notificationAmount, notificationHref, notificationTitle, notificationTitles } from "../../notifications/describe-notification";
import { useNotificationStream, type NotificationItem } from "../../notifications/use-notification-stream";
import { useTRPC } from "../../trpc/client";

const pageSize = 25;

const formatTime = (iso: string) => formatDateTime(iso);

/**
 * Stored notifications (newest first, keyset pages) with the live stream on top: events that
 * arrive while the page is open are shown at once, before the list is refetched.
 */
export function NotificationsFeed() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [type, setType] = useState<string | undefined>(undefined);
  const [grouped, setGrouped] = useState(false);
  const pages = useKeysetPages();
  const firstPage = pages.page === 1;
  const [live, setLive] = useState<NotificationItem[]>([]);

  const listInput = { cursor: pages.cursor, limit: pageSize, ...(unreadOnly ? { unread: "true" } : {}), ...(type ? { type } : {}) };
  const list = useQuery({ ...trpc.notifications.list.queryOptions(listInput), placeholderData: keepPreviousData });

  const stream = useNotificationStream((notification) => {
    setLive((items) => (items.some((i) => i.id === notification.id) ? items : [notification, ...items].slice(0, 200)));
  });

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.notifications.list.pathKey() });
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onSuccess: (_result, input) => {
        const readAt = new Date().toISOString();
        setLive((items) =>
          items.map((item) =>
            (input.ids?.includes(item.id) ?? false) || (input.upToId !== undefined && BigInt(item.id) <= BigInt(input.upToId))
              ? { ...item, readAt }
              : item,
          ),
        );
        void refresh();
      },
    }),
  );

  // Live items are newer than anything stored on the first page; the list wins once it has them.
  const stored = list.data?.items ?? [];
  const storedIds = new Set(stored.map((item) => item.id));
  const fresh = firstPage
    ? live.filter((item) => !storedIds.has(item.id) && (!unreadOnly || !item.readAt) && (!type || item.type === type))
    : [];
  const items = [...fresh, ...stored];
  const newest = items[0];
  const unreadCount = (list.data?.unreadCount ?? 0) + fresh.filter((item) => !item.readAt).length;

  return (
    <Card
      id="notifications"
      title="Feed"
      description={
        <span>
          <span data-testid="unread-count">{unreadCount}</span> unread ·{" "}
          <span data-testid="stream-state" data-state={stream}>
            {stream === "open" ? "live" : stream === "connecting" ? "connecting…" : "reconnecting…"}
          </span>
        </span>
      }
      actions={
        <>
          <FilterSelect
            label="Type"
            allLabel="All types"
            options={Object.keys(notificationTitles)}
            optionLabels={notificationTitles}
            value={type}
            onChange={(value) => {
              setType(value);
              pages.reset();
            }}
          />
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input
              type="checkbox"
              checked={unreadOnly}
              onChange={(event) => {
                setUnreadOnly(event.target.checked);
                pages.reset();
              }}
            />
            Unread only
          </label>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={grouped} onChange={(event) => setGrouped(event.target.checked)} />
            Group by payout or deposit
          </label>
          <Button
            variant="secondary"
            size="sm"
            disabled={!newest || unreadCount === 0}
            busy={markRead.isPending}
            onClick={() => newest && markRead.mutate({ upToId: newest.id })}
          >
            Mark all read
          </Button>
        </>
      }
    >
      {markRead.error ? (
        <p role="alert" className="mb-3 text-sm text-red-800">
          Could not mark as read: {markRead.error.message}
        </p>
      ) : null}
      {list.isPending ? (
        <LoadingRows label="Loading notifications…" />
      ) : list.isError ? (
        <QueryError error={list.error} what="the notifications" onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={unreadOnly ? "Nothing unread." : "No notifications yet."}>
          Deposits, payouts and disputes appear here as they happen, without reloading.
        </EmptyState>
      ) : (
        <ul aria-label="Notifications" aria-live="polite" className="divide-y divide-slate-100">
          {grouped
            ? groupByObject(items).map((group) => (
                <NotificationGroup
                  key={group[0]!.id}
                  items={group}
                  busy={markRead.isPending}
                  onMarkRead={(ids) => markRead.mutate({ ids })}
                />
              ))
            : items.map((item) => (
                <NotificationRow
                  key={item.id}
                  item={item}
                  busy={markRead.isPending}
                  onMarkRead={() => markRead.mutate({ ids: [item.id] })}
                />
              ))}
        </ul>
      )}
      <Pager label="Notification pages" {...pages.pagerProps(list.data?.nextCursor)} busy={list.isFetching} />
    </Card>
  );
}

/** The page's notifications per object (one payout, one deposit), newest object first, each newest first. */
function groupByObject(items: NotificationItem[]): NotificationItem[][] {
  const groups = new Map<string, NotificationItem[]>();
  for (const item of items) {
    const key = `${item.aggregateType}:${item.aggregateId}`;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/** One object's notifications: the latest in full, the earlier ones in order beneath it. */
function NotificationGroup({ items, busy, onMarkRead }: { items: NotificationItem[]; busy: boolean; onMarkRead: (ids: string[]) => void }) {
  const [latest] = items as [NotificationItem, ...NotificationItem[]];
  const unread = items.filter((item) => !item.readAt).map((item) => item.id);
  return (
    <li data-testid="notification-group" data-aggregate-id={latest.aggregateId} data-count={items.length} className="py-1">
      <ul aria-label={`Notifications for ${latest.aggregateId}`}>
        <NotificationRow item={{ ...latest, readAt: unread.length ? null : latest.readAt }} busy={busy} onMarkRead={() => onMarkRead(unread)} />
      </ul>
      {items.length > 1 ? (
        <p className="pb-2 pl-5 text-xs text-slate-600" data-testid="group-history">
          {items.length} updates:{" "}
          {[...items]
            .reverse()
            .map((item) => notificationTitle(item.type))
            .join(" → ")}
        </p>
      ) : null}
    </li>
  );
}

function NotificationRow({ item, busy, onMarkRead }: { item: NotificationItem; busy: boolean; onMarkRead: () => void }) {
  const amount = notificationAmount(item);
  const href = notificationHref(item);
  const unread = !item.readAt;
  const title = notificationTitle(item.type);
  return (
    <li className="flex flex-wrap items-start justify-between gap-3 py-3" data-notification-type={item.type} data-aggregate-id={item.aggregateId}>
      <div className="flex min-w-0 gap-3">
        <span
          aria-hidden="true"
          className={`mt-1.5 size-2 shrink-0 rounded-full ${unread ? "bg-emerald-600" : "bg-transparent"}`}
        />
        <div className="min-w-0">
          <p className={`text-sm ${unread ? "font-semibold text-slate-900" : "text-slate-700"}`}>
            {title}
            {unread ? <span className="sr-only"> (unread)</span> : null}
            {amount ? (
              <>
                {" · "}
                <Money amount={amount.amount} currency={amount.currency} />
              </>
            ) : null}
          </p>
          <p className="truncate text-xs text-slate-500">
            {href ? (
              <Link href={href} className="font-mono text-emerald-800 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-600">
                {item.aggregateId}
              </Link>
            ) : (
              <span className="font-mono">{item.aggregateId}</span>
            )}
            {" · "}
            <time dateTime={item.occurredAt}>{formatTime(item.occurredAt)}</time>
          </p>
        </div>
      </div>
      {unread ? (
        <Button variant="ghost" size="sm" disabled={busy} onClick={onMarkRead} aria-label={`Mark read: "${title}" for ${item.aggregateId}`}>
          Mark read
        </Button>
      ) : null}
    </li>
  );
}
