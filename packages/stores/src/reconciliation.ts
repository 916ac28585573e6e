/**
 * The reconciliation area's SQL: every statement on the reconciliation tables, with typed rows
 * (domain code never sees a column). Amounts are signed from the provider account's side: a ledger posting on a
 * clearing account counts with the opposite sign (a payout credits external:mpesa:KES and
 * shows as Withdrawn on the M-Pesa statement).
 *
 * A clearing posting's provider reference, first found wins: the payout's provider reference
 * (M-Pesa B2C receipt, Stripe transfer), an M-Pesa reversal's transaction id (a return of
 * unmatched money), the M-Pesa receipt of the STK or paybill payment behind a deposit, the
 * receipt of money held in suspense, the deposit's PaymentIntent, its own reference.
 */
import { Prisma, type Db, type Queryable, type Tx } from "@agrinet/db";

export const reconciliationSources = ["mpesa", "bank", "stripe"] as const;
export type ReconciliationSource = (typeof reconciliationSources)[number];

export const statementFormats = ["mpesa_csv", "bank_csv", "camt053", "stripe_api"] as const;
export type StatementFormat = (typeof statementFormats)[number];

/** A parsed statement as the store writes it (the domain's parsers produce it). */
export type StatementToInsert = {
  format: StatementFormat;
  periodFrom: Date | null;
  periodTo: Date | null;
  currency: string | null;
  openingBalance: bigint | null;
  closingBalance: bigint | null;
  rows: {
    rowNumber: number;
    reference: string | null;
    batchReference: string | null;
    bookedAt: Date;
    amount: bigint;
    currency: string;
    description: string;
    counterparty: string | null;
    balanceAfter: bigint | null;
  }[];
  refused: { row: number; reason: string }[];
};

export type ReconClient = Db | Tx;

/**
 * A clearing posting's provider reference (see the module comment), over ledger_transactions t,
 * deposits d (t.metadata's depositId) and mpesa_payments mp (d's payment).
 */
const postingReference = Prisma.sql`coalesce(t.metadata->>'providerReference', t.metadata->>'reversal', mp.receipt,
  t.metadata->>'receipt', d.stripe_payment_intent_id, d.reference, t.metadata->>'reference')`;

export type StatementRecord = {
  id: string;
  source: ReconciliationSource;
  format: StatementFormat;
  fileName: string | null;
  fileSha256: string;
  bank: string | null;
  periodFrom: Date | null;
  periodTo: Date | null;
  currency: string | null;
  openingBalance: bigint | null;
  closingBalance: bigint | null;
  rowsParsed: number;
  refusedRows: { row: number; reason: string }[];
  status: "preview" | "committed";
  linesAdded: number | null;
  uploadedBy: string;
  committedBy: string | null;
  createdAt: Date;
  committedAt: Date | null;
};

type StatementRow = {
  id: string;
  source: string;
  format: string;
  file_name: string | null;
  file_sha256: string;
  bank: string | null;
  period_from: Date | null;
  period_to: Date | null;
  currency: string | null;
  opening_balance: bigint | null;
  closing_balance: bigint | null;
  rows_parsed: number;
  refused_rows: unknown;
  status: string;
  lines_added: number | null;
  uploaded_by: string;
  committed_by: string | null;
  created_at: Date;
  committed_at: Date | null;
};

function decodeStatement(row: StatementRow): StatementRecord {
  return {
    id: row.id,
    source: row.source as ReconciliationSource,
    format: row.format as StatementFormat,
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    bank: row.bank,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    currency: row.currency,
    openingBalance: row.opening_balance,
    closingBalance: row.closing_balance,
    rowsParsed: row.rows_parsed,
    refusedRows: Array.isArray(row.refused_rows) ? (row.refused_rows as StatementRecord["refusedRows"]) : [],
    status: row.status as StatementRecord["status"],
    linesAdded: row.lines_added,
    uploadedBy: row.uploaded_by,
    committedBy: row.committed_by,
    createdAt: row.created_at,
    committedAt: row.committed_at,
  };
}

/**
 * Writes a statement and its rows through pg (not Prisma: Prisma's handling of 20,000-element
 * array parameters cost most of a 100,000-line import), in the caller's pg transaction.
 */
export async function insertStatement(
  client: Pick<Queryable, "query">,
  input: {
    id: string;
    source: ReconciliationSource;
    fileName: string | null;
    fileSha256: string;
    bank: string | null;
    uploadedBy: string;
    parsed: StatementToInsert;
    identities: string[];
  },
): Promise<void> {
  const { parsed } = input;
  await client.query(
    `insert into reconciliation_statements
       (id, source, format, file_name, file_sha256, bank, period_from, period_to, currency,
        opening_balance, closing_balance, rows_parsed, refused_rows, uploaded_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14)`,
    [
      input.id, input.source, parsed.format, input.fileName, input.fileSha256, input.bank, parsed.periodFrom, parsed.periodTo,
      parsed.currency, parsed.openingBalance?.toString() ?? null, parsed.closingBalance?.toString() ?? null, parsed.rows.length,
      JSON.stringify(parsed.refused), input.uploadedBy,
    ],
  );
  const chunk = 20_000;
  for (let start = 0; start < parsed.rows.length; start += chunk) {
    const rows = parsed.rows.slice(start, start + chunk);
    await client.query(
      `insert into reconciliation_statement_rows
         (statement_id, row_number, identity, reference, batch_reference, booked_at, amount, currency,
          description, counterparty, balance_after)
       select $1, * from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bigint[],
                                $8::text[], $9::text[], $10::text[], $11::bigint[])`,
      [
        input.id,
        rows.map((r) => r.rowNumber),
        input.identities.slice(start, start + chunk),
        rows.map((r) => r.reference),
        rows.map((r) => r.batchReference),
        rows.map((r) => r.bookedAt.toISOString()),
        rows.map((r) => r.amount.toString()),
        rows.map((r) => r.currency),
        rows.map((r) => r.description),
        rows.map((r) => r.counterparty),
        rows.map((r) => r.balanceAfter?.toString() ?? null),
      ],
    );
  }
}

export async function findStatement(client: ReconClient, id: string, forUpdate = false): Promise<StatementRecord | null> {
  const rows = forUpdate
    ? await client.$queryRaw<StatementRow[]>`select * from reconciliation_statements where id = ${id} for update`
    : await client.$queryRaw<StatementRow[]>`select * from reconciliation_statements where id = ${id}`;
  return rows[0] ? decodeStatement(rows[0]) : null;
}

export async function listStatements(client: ReconClient, options: { source?: string | undefined; limit: number }) {
  const rows = await client.$queryRaw<StatementRow[]>`
    select * from reconciliation_statements
    where (${options.source ?? null}::text is null or source = ${options.source ?? null})
    order by created_at desc, id desc limit ${options.limit}`;
  return rows.map(decodeStatement);
}

/** How many of a statement's rows are lines already known from an earlier statement. */
export async function countKnownRows(client: ReconClient, statementId: string, source: string): Promise<number> {
  const rows = await client.$queryRaw<{ known: bigint }[]>`
    select count(*)::bigint as known from reconciliation_statement_rows r
    where r.statement_id = ${statementId}
      and exists (select 1 from reconciliation_lines l where l.source = ${source} and l.identity = r.identity)`;
  return Number(rows[0]?.known ?? 0n);
}

/**
 * Marks a statement committed (before its lines are matched: the source's reconciliation starts
 * with its first committed statement's period, see matchSource).
 */
export async function markStatementCommitted(client: ReconClient, statementId: string, committedBy: string): Promise<void> {
  await client.$executeRaw`
    update reconciliation_statements set status = 'committed', committed_by = ${committedBy}, committed_at = now()
    where id = ${statementId}`;
}

export async function setStatementLinesAdded(client: ReconClient, statementId: string, linesAdded: number): Promise<void> {
  await client.$executeRaw`update reconciliation_statements set lines_added = ${linesAdded} where id = ${statementId}`;
}

export type StatementTotals = { currency: string; moneyIn: bigint; moneyOut: bigint; rows: number };

export async function statementTotals(client: ReconClient, statementId: string): Promise<StatementTotals[]> {
  return client.$queryRaw<StatementTotals[]>`
    select currency, coalesce(sum(amount) filter (where amount > 0), 0)::bigint as "moneyIn",
           coalesce(-sum(amount) filter (where amount < 0), 0)::bigint as "moneyOut", count(*)::int as rows
    from reconciliation_statement_rows where statement_id = ${statementId} group by currency order by currency`;
}

/** Serialises runs of one source (and imports racing them) until the transaction ends. */
export async function lockSource(client: ReconClient, source: string): Promise<void> {
  await client.$executeRaw`select pg_advisory_xact_lock(hashtext('reconciliation:' || ${source}))`;
}

export type MatchingCounts = {
  /** The committed statement's rows that became lines (0 without a statement). */
  linesAdded: number;
  matchedByReference: number;
  matchedByBatch: number;
  lines: number;
  movements: number;
};

/**
 * Pairs unmatched lines with unmatched clearing-account postings of the source: one to one on
 * reference, amount and currency within the window (the n-th such line with the n-th such
 * posting), then one line to a whole batch (its batch reference or reference naming the
 * payout batch, equal to the batch's unmatched sum). Reconciliation starts with the source's
 * first committed statement: postings before its period may still match a line (within the
 * window) but are never reported missing, since the statements before it were never imported.
 *
 * With a statement being committed, its rows that are not yet lines (same source and identity)
 * join the candidates and are written as lines once matched, already matched or not: a
 * 100,000-line statement costs one insert of its lines, not an insert and then an update of
 * each. The scheduled run is the same pass without a statement.
 */
export async function matchSource(
  client: ReconClient,
  input: { source: ReconciliationSource; windowSeconds: number; runId: string; actor: string; statementId: string | null },
): Promise<MatchingCounts> {
  await client.$executeRaw`drop table if exists recon_movements, recon_candidates, recon_matched, recon_open_movements, recon_open_candidates`;
  await client.$executeRaw`
    create temp table recon_movements on commit drop as
    with cutover as (
      select min(period_from) as at from reconciliation_statements where source = ${input.source} and status = 'committed'
    )
    select p.id as posting_id, p.currency::text as currency, -p.amount as amount, p.created_at as at,
           ${postingReference} as reference,
           po.batch_id as batch_reference, p.created_at < cutover.at as before_cutover
    from cutover, ledger_accounts a
    join ledger_postings p on p.account_id = a.id
    join ledger_transactions t on t.id = p.transaction_id
    left join deposits d on d.id = t.metadata->>'depositId'
    left join mpesa_payments mp on mp.deposit_id = d.id
    left join payouts po on po.id = t.metadata->>'payoutId'
    where a.owner_type = 'external' and a.owner_id = ${input.source} and a.purpose = 'clearing'
      and p.created_at >= cutover.at - make_interval(secs => ${input.windowSeconds})
      and not exists (select 1 from reconciliation_matches m where m.posting_id = p.id)`;
  // Every candidate: the source's unmatched lines, and the statement's rows that are not lines
  // yet (no line of the source has their identity), with the line ids they will get. The caller
  // holds the source's lock, so no other commit adds the same identities meanwhile.
  await client.$executeRaw`
    create temp table recon_candidates on commit drop as
    select id as line_id, null::int as row_number, reference, batch_reference, amount, currency::text as currency, booked_at
    from reconciliation_lines where source = ${input.source} and status = 'unmatched'
    union all
    select nextval(pg_get_serial_sequence('reconciliation_lines', 'id')), r.row_number, r.reference, r.batch_reference, r.amount,
           r.currency::text, r.booked_at
    from reconciliation_statements s
    join reconciliation_statement_rows r on r.statement_id = s.id
    where s.id = ${input.statementId} and s.source = ${input.source}
      and not exists (select 1 from reconciliation_lines l where l.source = s.source and l.identity = r.identity)`;
  await client.$executeRaw`create temp table recon_matched (line_id bigint not null, posting_id bigint not null, rule text not null) on commit drop`;

  const byReference = await client.$executeRaw`
    with l as (
      select line_id, reference, amount, currency, booked_at,
             row_number() over (partition by reference, amount, currency order by booked_at, line_id) as n
      from recon_candidates where reference is not null
    ), m as (
      select posting_id, reference, amount, currency, at,
             row_number() over (partition by reference, amount, currency order by at, posting_id) as n
      from recon_movements where reference is not null
    ), matched as (
      insert into reconciliation_matches (line_id, posting_id, rule, run_id, matched_by)
      select l.line_id, m.posting_id, 'reference', ${input.runId}, ${input.actor}
      from l join m using (reference, amount, currency, n)
      where abs(extract(epoch from l.booked_at - m.at)) <= ${input.windowSeconds}
      on conflict (posting_id) do nothing
      returning line_id, posting_id
    )
    insert into recon_matched select line_id, posting_id, 'reference' from matched`;
  // What the reference pass left (usually few): copied rather than deleted from, which for a
  // statement that mostly matches would delete nearly every row.
  await client.$executeRaw`
    create temp table recon_open_movements on commit drop as
    select * from recon_movements m where not exists (select 1 from recon_matched x where x.posting_id = m.posting_id)`;
  await client.$executeRaw`
    create temp table recon_open_candidates on commit drop as
    select * from recon_candidates c where not exists (select 1 from recon_matched x where x.line_id = c.line_id)`;

  const byBatch = await client.$executeRaw`
    with batches as (
      select batch_reference, currency, sum(amount) as amount, min(at) as first_at, max(at) as last_at
      from recon_open_movements where batch_reference is not null group by batch_reference, currency
    ), pairs as (
      select distinct on (b.batch_reference, b.currency) l.line_id, b.batch_reference, b.currency
      from batches b
      join recon_open_candidates l on coalesce(l.batch_reference, l.reference) = b.batch_reference and l.currency = b.currency
        and l.amount = b.amount
        and l.booked_at between b.first_at - make_interval(secs => ${input.windowSeconds})
                            and b.last_at + make_interval(secs => ${input.windowSeconds})
      order by b.batch_reference, b.currency, l.booked_at, l.line_id
    ), matched as (
      insert into reconciliation_matches (line_id, posting_id, rule, run_id, matched_by)
      select p.line_id, m.posting_id, 'batch', ${input.runId}, ${input.actor}
      from pairs p join recon_open_movements m on m.batch_reference = p.batch_reference and m.currency = p.currency
      on conflict (posting_id) do nothing
      returning line_id, posting_id
    )
    insert into recon_matched select line_id, posting_id, 'batch' from matched`;
  if (byBatch > 0) {
    await client.$executeRaw`delete from recon_open_movements m using recon_matched x where x.posting_id = m.posting_id and x.rule = 'batch'`;
    await client.$executeRaw`delete from recon_open_candidates c using recon_matched x where x.line_id = c.line_id and x.rule = 'batch'`;
  }

  // Lines that were already lines change status; the statement's new rows are written once.
  await client.$executeRaw`
    update reconciliation_lines l set status = 'matched'
    from (select distinct line_id from recon_matched) x
    where l.id = x.line_id and l.source = ${input.source} and l.status = 'unmatched'`;
  const linesAdded = await client.$executeRaw`
    insert into reconciliation_lines
      (id, source, identity, statement_id, row_number, reference, batch_reference, booked_at, amount, currency, description,
       counterparty, status)
    select c.line_id, ${input.source}, r.identity, r.statement_id, r.row_number, r.reference, r.batch_reference, r.booked_at,
           r.amount, r.currency, r.description, r.counterparty,
           case when c.line_id in (select line_id from recon_matched) then 'matched' else 'unmatched' end
    from recon_candidates c join reconciliation_statement_rows r on r.statement_id = ${input.statementId} and r.row_number = c.row_number
    where c.row_number is not null
    order by c.line_id`;

  const sizes = await client.$queryRaw<{ lines: bigint; movements: bigint }[]>`
    select (select count(*) from recon_open_candidates) as lines,
           (select count(*) from recon_open_movements where not before_cutover) as movements`;
  return {
    linesAdded,
    matchedByReference: byReference,
    matchedByBatch: byBatch,
    lines: Number(sizes[0]?.lines ?? 0n),
    movements: Number(sizes[0]?.movements ?? 0n),
  };
}

export type ExceptionCounts = { created: number; persisting: number; resolved: number };

/**
 * What is still unmatched after matchSource (same transaction: reads recon_open_movements), as
 * findings keyed per kind and line or posting, merged into the exceptions: a new finding is a
 * new exception, one found again is persisting, an open one no longer found is resolved as
 * cleared (a later statement or posting matched it). A finding whose exception was resolved by
 * staff stays resolved. Exceptions raised by provider events (key "event:…") are left alone.
 */
export async function mergeExceptions(
  client: ReconClient,
  input: { source: ReconciliationSource; windowSeconds: number; runId: string },
): Promise<ExceptionCounts> {
  await client.$executeRaw`drop table if exists recon_findings`;
  await client.$executeRaw`
    create temp table recon_findings on commit drop as
    with lines as (
      select * from reconciliation_lines where source = ${input.source} and status = 'unmatched'
    ), open_pair as (
      -- An unmatched posting with the line's reference: wrong amount, currency or date.
      select distinct on (l.id) l.id as line_id, m.posting_id, m.amount as ledger_amount, m.currency as ledger_currency,
             m.at, abs(extract(epoch from l.booked_at - m.at)) > ${input.windowSeconds} as outside
      from lines l join recon_open_movements m on m.reference = l.reference
      order by l.id, (m.amount = l.amount) desc, abs(extract(epoch from l.booked_at - m.at)), m.posting_id
    ), matched_pair as (
      -- Or a posting with that reference already matched to another line.
      select distinct on (l.id) l.id as line_id, mt.posting_id, -p.amount as ledger_amount, p.currency::text as ledger_currency
      from lines l
      join reconciliation_lines other on other.source = l.source and other.reference = l.reference and other.status = 'matched'
      join reconciliation_matches mt on mt.line_id = other.id
      join ledger_postings p on p.id = mt.posting_id
      where l.id not in (select line_id from open_pair)
      order by l.id, mt.posting_id
    )
    select
      case
        when o.line_id is not null then
          case when o.ledger_currency <> l.currency then 'currency_mismatch'
               when o.ledger_amount <> l.amount then 'amount_mismatch'
               else 'outside_window' end
        when mp.line_id is not null then
          case when mp.ledger_currency <> l.currency then 'currency_mismatch'
               when mp.ledger_amount <> l.amount then 'amount_mismatch'
               else 'duplicate_line' end
        else 'unmatched_line'
      end as kind,
      l.id as line_id, coalesce(o.posting_id, mp.posting_id) as posting_id, l.reference,
      coalesce(o.ledger_amount, mp.ledger_amount) as ledger_amount, l.amount as statement_amount,
      l.currency::text as currency, l.booked_at as occurred_at, l.description as detail
    from lines l
    left join open_pair o on o.line_id = l.id
    left join matched_pair mp on mp.line_id = l.id`;
  await client.$executeRaw`
    insert into recon_findings (kind, line_id, posting_id, reference, ledger_amount, statement_amount, currency, occurred_at, detail)
    select 'unmatched_movement', null, m.posting_id, m.reference, m.amount, null, m.currency, m.at, ''
    from recon_open_movements m
    where m.posting_id not in (select posting_id from recon_findings where posting_id is not null)
      and not m.before_cutover
      and m.at + make_interval(secs => ${input.windowSeconds}) <=
          (select max(period_to) from reconciliation_statements where source = ${input.source} and status = 'committed')`;

  const created = await client.$executeRaw`
    insert into reconciliation_exceptions
      (key, source, kind, line_id, posting_id, reference, ledger_amount, statement_amount, currency, occurred_at, detail,
       first_run_id, last_run_id)
    select f.kind || ':' || coalesce('line:' || f.line_id, 'posting:' || f.posting_id), ${input.source}, f.kind,
           f.line_id, f.posting_id, f.reference, f.ledger_amount, f.statement_amount, f.currency, f.occurred_at, f.detail,
           ${input.runId}, ${input.runId}
    from recon_findings f
    on conflict (key) do nothing`;
  const persisting = await client.$executeRaw`
    update reconciliation_exceptions e set status = 'persisting', last_run_id = ${input.runId}, updated_at = now()
    from recon_findings f
    where e.key = f.kind || ':' || coalesce('line:' || f.line_id, 'posting:' || f.posting_id)
      and e.status <> 'resolved' and e.first_run_id <> ${input.runId}`;
  const resolved = await client.$executeRaw`
    update reconciliation_exceptions e set status = 'resolved', resolution = 'cleared', resolved_by = 'system:reconciliation',
           resolved_at = now(), updated_at = now(), last_run_id = ${input.runId}
    where e.source = ${input.source} and e.status <> 'resolved' and e.key not like 'event:%'
      and not exists (select 1 from recon_findings f
                      where e.key = f.kind || ':' || coalesce('line:' || f.line_id, 'posting:' || f.posting_id))`;
  return { created, persisting, resolved };
}

export async function insertRun(
  client: ReconClient,
  run: { id: string; source: string; trigger: string; dryRun: boolean; startedBy: string },
): Promise<void> {
  await client.$executeRaw`
    insert into reconciliation_runs (id, source, trigger, dry_run, started_by)
    values (${run.id}, ${run.source}, ${run.trigger}, ${run.dryRun}, ${run.startedBy})`;
}

export async function finishRun(client: ReconClient, id: string, counts: Record<string, number>): Promise<void> {
  await client.$executeRaw`
    update reconciliation_runs set counts = ${JSON.stringify(counts)}::jsonb, finished_at = now() where id = ${id}`;
}

export type RunRecord = {
  id: string;
  source: string;
  trigger: string;
  dryRun: boolean;
  counts: Record<string, number>;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
};

export async function listRuns(client: ReconClient, options: { source?: string | undefined; limit: number }): Promise<RunRecord[]> {
  const rows = await client.$queryRaw<
    { id: string; source: string; trigger: string; dry_run: boolean; counts: unknown; started_by: string; started_at: Date; finished_at: Date | null }[]
  >`
    select * from reconciliation_runs
    where (${options.source ?? null}::text is null or source = ${options.source ?? null})
    order by started_at desc, id desc limit ${options.limit}`;
  return rows.map((row) => ({
    id: row.id,
    source: row.source,
    trigger: row.trigger,
    dryRun: row.dry_run,
    counts: (row.counts ?? {}) as Record<string, number>,
    startedBy: row.started_by,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  }));
}

export const exceptionKinds = [
  "unmatched_line",
  "unmatched_movement",
  "amount_mismatch",
  "currency_mismatch",
  "duplicate_line",
  "outside_window",
  /** An M-Pesa payment in suspense (collections' queue, mirrored here by a trigger): assigned or returned there. */
  "unmatched_payment",
] as const;

/** An unmatched payment's queue row is keyed by its payment (see the migration's trigger). */
const unmatchedPaymentKeyPrefix = "event:mpesa-unmatched:";
export type ExceptionKind = (typeof exceptionKinds)[number];
export const reconciliationExceptionStatuses = ["new", "persisting", "resolved"] as const;
export type ReconciliationExceptionStatus = (typeof reconciliationExceptionStatuses)[number];

export type ExceptionRecord = {
  id: bigint;
  key: string;
  source: string;
  kind: ExceptionKind;
  status: ReconciliationExceptionStatus;
  lineId: bigint | null;
  postingId: bigint | null;
  reference: string | null;
  ledgerAmount: bigint | null;
  statementAmount: bigint | null;
  currency: string | null;
  occurredAt: Date;
  detail: string;
  assignee: string | null;
  resolution: string | null;
  resolutionReason: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  adjustmentTransactionId: bigint | null;
  createdAt: Date;
  updatedAt: Date;
  comments: number;
  /** An unmatched payment's M-Pesa payment (collections' queue works it); null for the other kinds. */
  mpesaPaymentId: string | null;
};

type ExceptionRow = {
  id: bigint;
  key: string;
  source: string;
  kind: string;
  status: string;
  line_id: bigint | null;
  posting_id: bigint | null;
  reference: string | null;
  ledger_amount: bigint | null;
  statement_amount: bigint | null;
  currency: string | null;
  occurred_at: Date;
  detail: string;
  assignee: string | null;
  resolution: string | null;
  resolution_reason: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  adjustment_transaction_id: bigint | null;
  created_at: Date;
  updated_at: Date;
  comments: bigint;
};

function decodeException(row: ExceptionRow): ExceptionRecord {
  return {
    id: row.id,
    key: row.key,
    source: row.source,
    kind: row.kind as ExceptionKind,
    status: row.status as ReconciliationExceptionStatus,
    lineId: row.line_id,
    postingId: row.posting_id,
    reference: row.reference,
    ledgerAmount: row.ledger_amount,
    statementAmount: row.statement_amount,
    currency: row.currency,
    occurredAt: row.occurred_at,
    detail: row.detail,
    assignee: row.assignee,
    resolution: row.resolution,
    resolutionReason: row.resolution_reason,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    adjustmentTransactionId: row.adjustment_transaction_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    comments: Number(row.comments),
    mpesaPaymentId: row.key.startsWith(unmatchedPaymentKeyPrefix) ? row.key.slice(unmatchedPaymentKeyPrefix.length) : null,
  };
}

export type ExceptionFilters = {
  source?: string | undefined;
  kind?: string | undefined;
  /** open = new or persisting */
  status?: ReconciliationExceptionStatus | "open" | undefined;
  assignee?: string | undefined;
  reference?: string | undefined;
  /** Only exceptions at least this many days old. */
  minAgeDays?: number | undefined;
  /** Keyset: exceptions with an id below this one. */
  beforeId?: bigint | undefined;
  limit: number;
};

export async function listExceptions(client: ReconClient, filters: ExceptionFilters): Promise<ExceptionRecord[]> {
  const status = filters.status ?? null;
  const rows = await client.$queryRaw<ExceptionRow[]>`
    select e.*, (select count(*) from reconciliation_exception_comments c where c.exception_id = e.id) as comments
    from reconciliation_exceptions e
    where (${filters.source ?? null}::text is null or e.source = ${filters.source ?? null})
      and (${filters.kind ?? null}::text is null or e.kind = ${filters.kind ?? null})
      and (${status}::text is null or (${status} = 'open' and e.status <> 'resolved') or e.status = ${status})
      and (${filters.assignee ?? null}::text is null or e.assignee = ${filters.assignee ?? null})
      and (${filters.reference ?? null}::text is null or e.reference = ${filters.reference ?? null})
      and (${filters.minAgeDays ?? null}::int is null or e.created_at <= now() - make_interval(days => ${filters.minAgeDays ?? 0}))
      and (${filters.beforeId ?? null}::bigint is null or e.id < ${filters.beforeId ?? null})
    order by e.id desc limit ${filters.limit}`;
  return rows.map(decodeException);
}

/**
 * Per source, how long its oldest open (new or persisting) exception has been in the queue, in
 * seconds; sources with none are left out. Walks the (status, source, …) index: open exceptions
 * are the few.
 */
export async function oldestOpenExceptionAges(client: ReconClient): Promise<{ source: string; seconds: number }[]> {
  return client.$queryRaw<{ source: string; seconds: number }[]>`
    select source, extract(epoch from now() - min(created_at))::float8 as seconds
    from reconciliation_exceptions where status in ('new', 'persisting') group by source order by source`;
}

export async function findExceptions(client: ReconClient, ids: bigint[], forUpdate: boolean): Promise<ExceptionRecord[]> {
  const rows = forUpdate
    ? await client.$queryRaw<ExceptionRow[]>`
        select e.*, 0::bigint as comments from reconciliation_exceptions e where e.id = any(${ids}::bigint[])
        order by e.id for update`
    : await client.$queryRaw<ExceptionRow[]>`
        select e.*, (select count(*) from reconciliation_exception_comments c where c.exception_id = e.id) as comments
        from reconciliation_exceptions e where e.id = any(${ids}::bigint[]) order by e.id`;
  return rows.map(decodeException);
}

export async function resolveException(
  client: ReconClient,
  input: { id: bigint; resolution: string; reason: string | null; resolvedBy: string; adjustmentTransactionId?: bigint | null },
): Promise<void> {
  await client.$executeRaw`
    update reconciliation_exceptions set status = 'resolved', resolution = ${input.resolution},
           resolution_reason = ${input.reason}, resolved_by = ${input.resolvedBy}, resolved_at = now(), updated_at = now(),
           adjustment_transaction_id = ${input.adjustmentTransactionId ?? null}
    where id = ${input.id}`;
}

export async function assignExceptions(client: ReconClient, ids: bigint[], assignee: string | null): Promise<number> {
  return client.$executeRaw`
    update reconciliation_exceptions set assignee = ${assignee}, updated_at = now() where id = any(${ids}::bigint[])`;
}

export async function insertComment(client: ReconClient, input: { exceptionId: bigint; author: string; body: string }) {
  const rows = await client.$queryRaw<{ id: bigint; created_at: Date }[]>`
    insert into reconciliation_exception_comments (exception_id, author, body)
    values (${input.exceptionId}, ${input.author}, ${input.body}) returning id, created_at`;
  return rows[0]!;
}

export async function listComments(client: ReconClient, exceptionId: bigint) {
  return client.$queryRaw<{ id: bigint; author: string; body: string; created_at: Date }[]>`
    select id, author, body, created_at from reconciliation_exception_comments where exception_id = ${exceptionId} order by id`;
}

/** A staff-made match: the line and the postings it covers, all of the source. */
export async function insertManualMatches(
  client: ReconClient,
  input: { lineId: bigint; postingIds: bigint[]; rule: "manual" | "adjustment"; actor: string },
): Promise<number> {
  const added = await client.$executeRaw`
    insert into reconciliation_matches (line_id, posting_id, rule, matched_by)
    select ${input.lineId}, unnest(${input.postingIds}::bigint[]), ${input.rule}, ${input.actor}`;
  await client.$executeRaw`update reconciliation_lines set status = 'matched' where id = ${input.lineId}`;
  return added;
}

export type LineDetail = {
  id: bigint;
  statementId: string;
  statementFileName: string | null;
  rowNumber: number;
  reference: string | null;
  batchReference: string | null;
  bookedAt: Date;
  amount: bigint;
  currency: string;
  description: string;
  counterparty: string | null;
  status: string;
};

export async function findLineDetail(client: ReconClient, id: bigint): Promise<LineDetail | null> {
  const rows = await client.$queryRaw<
    {
      id: bigint; statement_id: string; file_name: string | null; row_number: number; reference: string | null; batch_reference: string | null;
      booked_at: Date; amount: bigint; currency: string; description: string; counterparty: string | null; status: string;
    }[]
  >`
    select l.id, l.statement_id, s.file_name, l.row_number, l.reference, l.batch_reference, l.booked_at, l.amount, l.currency::text,
           l.description, l.counterparty, l.status
    from reconciliation_lines l join reconciliation_statements s on s.id = l.statement_id where l.id = ${id}`;
  const row = rows[0];
  return row
    ? {
        id: row.id, statementId: row.statement_id, statementFileName: row.file_name, rowNumber: row.row_number, reference: row.reference,
        batchReference: row.batch_reference, bookedAt: row.booked_at, amount: row.amount, currency: row.currency, description: row.description,
        counterparty: row.counterparty, status: row.status,
      }
    : null;
}

export type ClearingPosting = { id: bigint; transactionId: bigint; amount: bigint; currency: string; at: Date; reference: string | null; kind: string; matched: boolean };

type ClearingPostingRow = { id: bigint; transaction_id: bigint; amount: bigint; currency: string; at: Date; reference: string | null; kind: string; matched: boolean };
const decodeClearingPosting = (row: ClearingPostingRow): ClearingPosting => ({
  id: row.id, transactionId: row.transaction_id, amount: row.amount, currency: row.currency, at: row.at, reference: row.reference, kind: row.kind, matched: row.matched,
});

/**
 * What a line could be linked to by hand: the source's unmatched clearing postings in its
 * currency within `days` of it, the same amount first, then the nearest in time.
 */
export async function linkCandidates(
  client: ReconClient,
  input: { source: string; currency: string; amount: bigint; around: Date; days: number; limit: number },
): Promise<ClearingPosting[]> {
  const rows = await client.$queryRaw<ClearingPostingRow[]>`
    select p.id, p.transaction_id, -p.amount as amount, p.currency::text as currency, p.created_at as at,
           ${postingReference} as reference, t.kind::text as kind, false as matched
    from ledger_accounts a
    join ledger_postings p on p.account_id = a.id
    join ledger_transactions t on t.id = p.transaction_id
    left join deposits d on d.id = t.metadata->>'depositId'
    left join mpesa_payments mp on mp.deposit_id = d.id
    where a.owner_type = 'external' and a.owner_id = ${input.source} and a.purpose = 'clearing' and a.currency::text = ${input.currency}
      and p.created_at between ${input.around}::timestamptz - make_interval(days => ${input.days})
                           and ${input.around}::timestamptz + make_interval(days => ${input.days})
      and not exists (select 1 from reconciliation_matches m where m.posting_id = p.id)
    order by (-p.amount = ${input.amount}) desc, abs(extract(epoch from p.created_at - ${input.around}::timestamptz)), p.id
    limit ${input.limit}`;
  return rows.map(decodeClearingPosting);
}

/** The postings matched to a line (a resolved link, an adjustment, a batch). */
export async function matchedPostingsOfLine(client: ReconClient, lineId: bigint): Promise<(ClearingPosting & { rule: string })[]> {
  const rows = await client.$queryRaw<(ClearingPostingRow & { rule: string })[]>`
    select p.id, p.transaction_id, -p.amount as amount, p.currency::text as currency, p.created_at as at,
           ${postingReference} as reference, t.kind::text as kind, true as matched, m.rule
    from reconciliation_matches m
    join ledger_postings p on p.id = m.posting_id
    join ledger_transactions t on t.id = p.transaction_id
    left join deposits d on d.id = t.metadata->>'depositId'
    left join mpesa_payments mp on mp.deposit_id = d.id
    where m.line_id = ${lineId} order by p.id`;
  return rows.map((row) => ({ ...decodeClearingPosting(row), rule: row.rule }));
}

/** The platform accounts in a currency: what an adjustment may post against. */
export async function platformAccountCodes(client: ReconClient, currency: string): Promise<string[]> {
  const rows = await client.$queryRaw<{ code: string }[]>`
    select code from ledger_accounts where owner_type = 'platform' and currency = ${currency} order by code`;
  return rows.map((row) => row.code);
}

export type LineRecord = { id: bigint; source: string; reference: string | null; amount: bigint; currency: string; bookedAt: Date; status: string; description: string };

export async function findLine(client: ReconClient, id: bigint): Promise<LineRecord | null> {
  const rows = await client.$queryRaw<
    { id: bigint; source: string; reference: string | null; amount: bigint; currency: string; booked_at: Date; status: string; description: string }[]
  >`select id, source, reference, amount, currency, booked_at, status, description from reconciliation_lines where id = ${id}`;
  const row = rows[0];
  return row
    ? { id: row.id, source: row.source, reference: row.reference, amount: row.amount, currency: row.currency, bookedAt: row.booked_at, status: row.status, description: row.description }
    : null;
}

/** Postings on the source's clearing accounts, with whether each is matched already. */
export async function findClearingPostings(client: ReconClient, source: string, ids: bigint[]) {
  return client.$queryRaw<{ id: bigint; amount: bigint; currency: string; matched: boolean }[]>`
    select p.id, -p.amount as amount, p.currency::text as currency,
           exists (select 1 from reconciliation_matches m where m.posting_id = p.id) as matched
    from ledger_postings p join ledger_accounts a on a.id = p.account_id
    where p.id = any(${ids}::bigint[]) and a.owner_type = 'external' and a.owner_id = ${source} and a.purpose = 'clearing'`;
}

/** The clearing posting of a ledger transaction on the source's account. */
export async function clearingPostingOf(client: ReconClient, transactionId: bigint, source: string): Promise<bigint | null> {
  const rows = await client.$queryRaw<{ id: bigint }[]>`
    select p.id from ledger_postings p join ledger_accounts a on a.id = p.account_id
    where p.transaction_id = ${transactionId} and a.owner_type = 'external' and a.owner_id = ${source} and a.purpose = 'clearing'
    limit 1`;
  return rows[0]?.id ?? null;
}

/**
 * An exception raised by a provider event rather than a statement (a Stripe payment or an
 * M-Pesa result whose amount differs from ours): once per event key.
 */
export async function insertEventException(
  client: ReconClient,
  input: {
    key: string;
    source: ReconciliationSource;
    kind: ExceptionKind;
    reference: string;
    ledgerAmount: bigint | null;
    statementAmount: bigint | null;
    currency: string | null;
    detail: string;
  },
): Promise<void> {
  await client.$executeRaw`
    insert into reconciliation_exceptions (key, source, kind, reference, ledger_amount, statement_amount, currency, occurred_at, detail)
    values (${`event:${input.key}`}, ${input.source}, ${input.kind}, ${input.reference}, ${input.ledgerAmount},
            ${input.statementAmount}, ${input.currency}, now(), ${input.detail})
    on conflict (key) do nothing`;
}

export type DailyRow = {
  day: string;
  currency: string;
  moneyIn: bigint;
  moneyOut: bigint;
  lines: number;
  matchedLines: number;
  ledgerNet: bigint;
  /**
   * The clearing account's balance at the day's end, provider side: the recorded comparison's
   * (at the day's statements' period end) when there is one, else as the ledger says now.
   */
  ledgerClosing: bigint;
  /** The recorded comparison's statement balances (null without one, or when not printed). */
  opening: bigint | null;
  closing: bigint | null;
  /** The recorded comparison's difference, version and when it was recorded (null without one). */
  closingDifference: bigint | null;
  comparisonVersion: number | null;
  comparisonRecordedAt: Date | null;
};

/**
 * Per day (East Africa Time, the providers' and the finance team's day) and currency of a
 * source: the statement lines' money in and out, how many are matched and the ledger's net
 * movement on the clearing account (provider side), as they are now; and the day's closing
 * comparison as recorded (recordBalanceComparisons), its latest version. A day without a
 * recorded comparison shows the clearing account's balance at the day's end (its balance now
 * less what was posted since).
 */
export async function dailyReport(
  client: ReconClient,
  input: { source: string; from: Date; to: Date },
): Promise<DailyRow[]> {
  const rows = await client.$queryRaw<
    {
      day: Date; currency: string; money_in: bigint; money_out: bigint; lines: bigint; matched: bigint; ledger_net: bigint; ledger_closing: bigint;
      opening: bigint | null; closing: bigint | null; difference: bigint | null; version: number | null; recorded_at: Date | null;
    }[]
  >`
    with lines as (
      select date_trunc('day', booked_at at time zone interval '+03:00') as day, currency::text as currency,
             coalesce(sum(amount) filter (where amount > 0), 0) as money_in,
             coalesce(-sum(amount) filter (where amount < 0), 0) as money_out,
             count(*) as lines, count(*) filter (where status = 'matched') as matched
      from reconciliation_lines where source = ${input.source} and booked_at >= ${input.from} and booked_at < ${input.to}
      group by 1, 2
    ), ledger as (
      select date_trunc('day', p.created_at at time zone interval '+03:00') as day, p.currency::text as currency, -sum(p.amount) as net
      from ledger_accounts a join ledger_postings p on p.account_id = a.id
      where a.owner_type = 'external' and a.owner_id = ${input.source} and a.purpose = 'clearing'
        and p.created_at >= ${input.from} and p.created_at < ${input.to}
      group by 1, 2
    ), compared as (
      select distinct on (x.day, x.currency) x.day::timestamp as day, x.currency::text as currency, x.statement_opening, x.statement_closing,
             x.ledger_closing, x.difference, x.version, x.recorded_at
      from reconciliation_balance_comparisons x
      where x.source = ${input.source}
        and x.day >= (${input.from}::timestamptz at time zone interval '+03:00')::date
        and x.day < (${input.to}::timestamptz at time zone interval '+03:00')::date
      order by x.day, x.currency, x.version desc
    ), held as (
      select a.currency::text as currency,
             -(bal.posted - coalesce((select sum(p.amount) from ledger_postings p where p.account_id = a.id and p.created_at >= ${input.to}), 0))
               as at_end
      from ledger_accounts a join ledger_balances bal on bal.account_id = a.id
      where a.owner_type = 'external' and a.owner_id = ${input.source} and a.purpose = 'clearing'
    ), days as (
      select coalesce(l.day, g.day, c.day) as day, coalesce(l.currency, g.currency, c.currency) as currency,
             coalesce(l.money_in, 0) as money_in, coalesce(l.money_out, 0) as money_out,
             coalesce(l.lines, 0) as lines, coalesce(l.matched, 0) as matched, coalesce(g.net, 0) as net
      from lines l
      full join ledger g on g.day = l.day and g.currency = l.currency
      full join compared c on c.day = coalesce(l.day, g.day) and c.currency = coalesce(l.currency, g.currency)
    )
    select d.day, d.currency, d.money_in::bigint, d.money_out::bigint, d.lines::bigint, d.matched::bigint,
           d.net::bigint as ledger_net,
           -- The balance at the period's end less the movements of the later days in it.
           coalesce(c.ledger_closing,
                    coalesce(h.at_end, 0) - coalesce(sum(d.net) over (partition by d.currency order by d.day desc
                                                                     rows between unbounded preceding and 1 preceding), 0))::bigint as ledger_closing,
           c.statement_opening as opening, c.statement_closing as closing, c.difference, c.version, c.recorded_at
    from days d
    left join compared c on c.day = d.day and c.currency = d.currency
    left join held h on h.currency = d.currency
    order by 1, 2`;
  return rows.map((row) => ({
    // A timestamp without time zone: node reads it as UTC, so its date is the EAT day.
    day: row.day.toISOString().slice(0, 10),
    currency: row.currency,
    moneyIn: row.money_in,
    moneyOut: row.money_out,
    lines: Number(row.lines),
    matchedLines: Number(row.matched),
    ledgerNet: row.ledger_net,
    ledgerClosing: row.ledger_closing,
    opening: row.opening,
    closing: row.closing,
    closingDifference: row.difference,
    comparisonVersion: row.version,
    comparisonRecordedAt: row.recorded_at,
  }));
}

export async function sourcesWithStatements(client: ReconClient): Promise<Set<string>> {
  const rows = await client.$queryRaw<{ source: string }[]>`
    select distinct source from reconciliation_statements where status = 'committed'`;
  return new Set(rows.map((row) => row.source));
}

/**
 * Records each day's closing comparison of the source's clearing account with its committed
 * statements, per currency: the day is the East Africa Time day in which a statement's period
 * ends; the statement side is the day's earliest opening and latest closing balance; the ledger
 * side is the clearing account's balance (provider side) at the latest period end, i.e. its
 * balance now less what was posted after it. A day gets a new version only when a figure differs
 * from its latest one (a statement added for that day, a posting that landed before the period
 * end after the last recording), so the history says when and how a day's figure changed.
 *
 * `statementId`: the days of that statement (a commit); otherwise every day whose statements end
 * within `recentDays` (the scheduled run). The caller holds the source's lock.
 */
export async function recordBalanceComparisons(
  client: ReconClient,
  input: { source: ReconciliationSource; runId: string; trigger: "commit" | "schedule" | "manual"; statementId: string | null; recentDays: number },
): Promise<number> {
  return client.$executeRaw`
    with statements as (
      select s.id, s.period_from, s.period_to, s.opening_balance, s.closing_balance, s.committed_at, c.currency,
             ((s.period_to - interval '1 millisecond') at time zone interval '+03:00')::date as day
      from reconciliation_statements s
      cross join lateral (
        select s.currency::text as currency where s.currency is not null
        union
        select distinct r.currency::text from reconciliation_statement_rows r where s.currency is null and r.statement_id = s.id
      ) c
      where s.source = ${input.source} and s.status = 'committed' and s.period_to is not null
    ), days as (
      select distinct day, currency from statements
      where (${input.statementId}::text is not null and id = ${input.statementId})
         or (${input.statementId}::text is null and period_to >= now() - make_interval(days => ${input.recentDays}))
    ), computed as (
      select d.day, d.currency, max(s.period_to) as compared_at,
             (array_agg(s.opening_balance order by s.period_from, s.committed_at) filter (where s.opening_balance is not null))[1] as opening,
             (array_agg(s.closing_balance order by s.period_to desc, s.committed_at desc) filter (where s.closing_balance is not null))[1] as closing
      from days d join statements s on s.day = d.day and s.currency = d.currency
      group by d.day, d.currency
    ), compared as (
      select c.*, coalesce(-(bal.posted - coalesce((select sum(p.amount) from ledger_postings p
                                                    where p.account_id = a.id and p.created_at > c.compared_at), 0)), 0)::bigint as ledger_closing
      from computed c
      left join ledger_accounts a on a.owner_type = 'external' and a.owner_id = ${input.source} and a.purpose = 'clearing'
                                  and a.currency::text = c.currency
      left join ledger_balances bal on bal.account_id = a.id
    )
    insert into reconciliation_balance_comparisons
      (source, currency, day, version, compared_at, statement_opening, statement_closing, ledger_closing, difference, trigger, statement_id, run_id)
    select ${input.source}, c.currency, c.day, coalesce(latest.version, 0) + 1, c.compared_at, c.opening, c.closing, c.ledger_closing,
           c.closing - c.ledger_closing, ${input.trigger}, ${input.statementId}, ${input.runId}
    from compared c
    left join lateral (
      select * from reconciliation_balance_comparisons x
      where x.source = ${input.source} and x.currency = c.currency and x.day = c.day order by x.version desc limit 1
    ) latest on true
    where latest.id is null
       or (latest.compared_at, latest.statement_opening, latest.statement_closing, latest.ledger_closing)
          is distinct from (c.compared_at, c.opening, c.closing, c.ledger_closing)`;
}

export type BalanceComparison = {
  source: ReconciliationSource;
  currency: string;
  /** YYYY-MM-DD, East Africa Time. */
  day: string;
  version: number;
  comparedAt: Date;
  statementOpening: bigint | null;
  statementClosing: bigint | null;
  ledgerClosing: bigint;
  difference: bigint | null;
  trigger: string;
  statementId: string | null;
  runId: string;
  recordedAt: Date;
};

type BalanceComparisonRow = {
  source: string; currency: string; day: Date; version: number; compared_at: Date; statement_opening: bigint | null; statement_closing: bigint | null;
  ledger_closing: bigint; difference: bigint | null; trigger: string; statement_id: string | null; run_id: string; recorded_at: Date;
};

const decodeBalanceComparison = (row: BalanceComparisonRow): BalanceComparison => ({
  source: row.source as ReconciliationSource,
  currency: row.currency,
  // A date: node reads it as UTC midnight, so its ISO date is the day.
  day: row.day.toISOString().slice(0, 10),
  version: row.version,
  comparedAt: row.compared_at,
  statementOpening: row.statement_opening,
  statementClosing: row.statement_closing,
  ledgerClosing: row.ledger_closing,
  difference: row.difference,
  trigger: row.trigger,
  statementId: row.statement_id,
  runId: row.run_id,
  recordedAt: row.recorded_at,
});

/** Every recorded version of the source's comparisons for the days in [fromDay, toDay], by day, currency, version. */
export async function listBalanceComparisons(
  client: ReconClient,
  input: { source: string; fromDay: string; toDay: string; latestOnly: boolean },
): Promise<BalanceComparison[]> {
  const rows = await client.$queryRaw<BalanceComparisonRow[]>`
    select x.source, x.currency::text as currency, x.day, x.version, x.compared_at, x.statement_opening, x.statement_closing, x.ledger_closing,
           x.difference, x.trigger, x.statement_id, x.run_id, x.recorded_at
    from reconciliation_balance_comparisons x
    where x.source = ${input.source} and x.day between ${input.fromDay}::date and ${input.toDay}::date
      and (not ${input.latestOnly} or x.version = (select max(y.version) from reconciliation_balance_comparisons y
                                                   where y.source = x.source and y.currency = x.currency and y.day = x.day))
    order by x.day, x.currency, x.version`;
  return rows.map(decodeBalanceComparison);
}
