-- CreateTable
CREATE TABLE "ledger_accounts" (
    "id" BIGSERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "allow_negative" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_balances" (
    "account_id" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "allow_negative" BOOLEAN NOT NULL,
    "posted" BIGINT NOT NULL DEFAULT 0,
    "held" BIGINT NOT NULL DEFAULT 0,
    "version" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_balances_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "ledger_transactions" (
    "id" BIGSERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "contract_id" TEXT,
    "request_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_postings" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" BIGINT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "balance_after" BIGINT NOT NULL,
    "account_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_postings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_holds" (
    "id" BIGSERIAL NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount" BIGINT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "expires_at" TIMESTAMPTZ(6),
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "commit_transaction_id" BIGINT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(6),

    CONSTRAINT "ledger_holds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_snapshots" (
    "id" BIGSERIAL NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "transaction_id" BIGINT NOT NULL,
    "balances" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_code_key" ON "ledger_accounts"("code");

-- CreateIndex
CREATE INDEX "ledger_accounts_owner_type_owner_id_idx" ON "ledger_accounts"("owner_type", "owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_id_currency_key" ON "ledger_accounts"("id", "currency");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_owner_type_owner_id_purpose_currency_key" ON "ledger_accounts"("owner_type", "owner_id", "purpose", "currency");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_balances_account_id_currency_key" ON "ledger_balances"("account_id", "currency");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transactions_idempotency_key_key" ON "ledger_transactions"("idempotency_key");

-- CreateIndex
CREATE INDEX "ledger_transactions_created_at_idx" ON "ledger_transactions"("created_at");

-- CreateIndex
CREATE INDEX "ledger_transactions_contract_id_idx" ON "ledger_transactions"("contract_id");

-- CreateIndex
CREATE INDEX "ledger_transactions_kind_id_idx" ON "ledger_transactions"("kind", "id");

-- CreateIndex
CREATE INDEX "ledger_postings_transaction_id_idx" ON "ledger_postings"("transaction_id");

-- CreateIndex
CREATE INDEX "ledger_postings_account_id_created_at_idx" ON "ledger_postings"("account_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_postings_account_id_account_version_key" ON "ledger_postings"("account_id", "account_version");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_holds_idempotency_key_key" ON "ledger_holds"("idempotency_key");

-- CreateIndex
CREATE INDEX "ledger_holds_account_id_status_idx" ON "ledger_holds"("account_id", "status");

-- CreateIndex
CREATE INDEX "ledger_holds_status_expires_at_idx" ON "ledger_holds"("status", "expires_at");

-- CreateIndex
CREATE INDEX "ledger_snapshots_subject_type_subject_id_idx" ON "ledger_snapshots"("subject_type", "subject_id");

-- AddForeignKey
ALTER TABLE "ledger_balances" ADD CONSTRAINT "ledger_balances_account_id_currency_fkey" FOREIGN KEY ("account_id", "currency") REFERENCES "ledger_accounts"("id", "currency") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_account_id_currency_fkey" FOREIGN KEY ("account_id", "currency") REFERENCES "ledger_accounts"("id", "currency") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_holds" ADD CONSTRAINT "ledger_holds_account_id_currency_fkey" FOREIGN KEY ("account_id", "currency") REFERENCES "ledger_accounts"("id", "currency") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ============================================================================================
-- Hand-written: the invariants the database itself enforces, and the posting functions.
-- SQLSTATEs in class LG belong to the ledger: packages/domain/src/ledger/ledger-sql-errors.ts
-- maps them to DomainError codes.
--   LG001 immutable row   LG002 unbalanced   LG003 insufficient funds   LG004 idempotency key reused
--   LG005 invalid state   LG006 not found    LG007 invalid input
-- ============================================================================================

ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_amount_nonzero" CHECK (amount <> 0);
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_currency_iso" CHECK (currency ~ '^[A-Z]{3}$');
ALTER TABLE "ledger_transactions" ADD CONSTRAINT "ledger_transactions_kind_format" CHECK (kind ~ '^[a-z][a-z_]*$');
ALTER TABLE "ledger_holds" ADD CONSTRAINT "ledger_holds_amount_positive" CHECK (amount > 0);
ALTER TABLE "ledger_holds" ADD CONSTRAINT "ledger_holds_status_known"
  CHECK (status IN ('pending', 'committed', 'voided', 'expired'));
ALTER TABLE "ledger_balances" ADD CONSTRAINT "ledger_balances_held_nonnegative" CHECK (held >= 0);
ALTER TABLE "ledger_balances" ADD CONSTRAINT "ledger_balances_available_nonnegative"
  CHECK (allow_negative OR posted - held >= 0);

-- History is append-only: postings, transactions, accounts and snapshots are never edited.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger history is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'LG001';
END $$;

CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON "ledger_postings"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON "ledger_postings"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON "ledger_transactions"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON "ledger_transactions"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_accounts_append_only BEFORE UPDATE OR DELETE ON "ledger_accounts"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_snapshots_append_only BEFORE UPDATE OR DELETE ON "ledger_snapshots"
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- Postings of a transaction sum to zero per currency, checked at commit so the postings of a
-- transaction may be inserted one by one.
CREATE FUNCTION ledger_check_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  SELECT p.currency, sum(p.amount) AS total INTO unbalanced
  FROM ledger_postings p
  WHERE p.transaction_id = NEW.transaction_id
  GROUP BY p.currency
  HAVING sum(p.amount) <> 0
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger transaction % does not balance: its % postings sum to %',
      NEW.transaction_id, unbalanced.currency, unbalanced.total
      USING ERRCODE = 'LG002';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON "ledger_postings"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();

-- Creates missing accounts (and their balance rows). Codes are created in sorted order so two
-- sessions creating the same new accounts cannot deadlock on the unique index.
CREATE FUNCTION ledger_ensure_accounts(
  p_codes text[], p_owner_types text[], p_owner_ids text[], p_purposes text[],
  p_currencies text[], p_allow_negative boolean[]
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH wanted AS (
    SELECT DISTINCT ON (u.code) u.*
    FROM unnest(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies, p_allow_negative)
      AS u(code, owner_type, owner_id, purpose, currency, allow_negative)
    WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.code = u.code)
    ORDER BY u.code
  ), created AS (
    INSERT INTO ledger_accounts (code, owner_type, owner_id, purpose, currency, allow_negative)
    SELECT code, owner_type, owner_id, purpose, currency, allow_negative FROM wanted ORDER BY code
    ON CONFLICT DO NOTHING
    RETURNING id, currency, allow_negative
  )
  INSERT INTO ledger_balances (account_id, currency, allow_negative)
  SELECT id, currency, allow_negative FROM created;
END $$;

-- Resolves codes to account ids (in input order), creating missing accounts.
CREATE FUNCTION ledger_resolve_accounts(
  p_codes text[], p_owner_types text[], p_owner_ids text[], p_purposes text[],
  p_currencies text[], p_allow_negative boolean[]
) RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  SELECT array_agg(a.id ORDER BY u.ord) INTO ids
  FROM unnest(p_codes) WITH ORDINALITY AS u(code, ord)
  LEFT JOIN ledger_accounts a ON a.code = u.code;
  IF array_position(ids, NULL) IS NOT NULL THEN
    PERFORM ledger_ensure_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                   p_allow_negative);
    SELECT array_agg(a.id ORDER BY u.ord) INTO ids
    FROM unnest(p_codes) WITH ORDINALITY AS u(code, ord)
    JOIN ledger_accounts a ON a.code = u.code;
  END IF;
  RETURN ids;
END $$;

-- The whole posting path in one round trip: claim the idempotency key, create accounts on first
-- use, lock balance rows in account-id order (no deadlocks between transfers), refuse an
-- overdraft, insert postings with running balances, update balances.
-- A replayed key returns the first result and posts nothing; the same key with a different
-- request (request hash) is refused.
CREATE FUNCTION ledger_post_transaction(
  p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text, p_request_hash text,
  p_codes text[], p_amounts bigint[], p_currencies text[],
  p_owner_types text[], p_owner_ids text[], p_purposes text[], p_allow_negative boolean[]
) RETURNS TABLE (
  transaction_id bigint, replayed boolean, created_at timestamptz,
  posting_ids bigint[], account_ids bigint[], balances_after bigint[]
) LANGUAGE plpgsql AS $$
DECLARE
  n int := coalesce(array_length(p_codes, 1), 0);
  tx_id bigint;
  tx_created timestamptz;
  existing record;
  ids bigint[];
  short record;
  unbalanced record;
  posted_at timestamptz;
BEGIN
  IF n < 2 OR array_length(p_amounts, 1) IS DISTINCT FROM n
     OR array_length(p_currencies, 1) IS DISTINCT FROM n THEN
    RAISE EXCEPTION 'a ledger transaction needs at least two postings' USING ERRCODE = 'LG007';
  END IF;
  IF array_position(p_amounts, 0::bigint) IS NOT NULL THEN
    RAISE EXCEPTION 'posting amounts must not be zero' USING ERRCODE = 'LG007';
  END IF;
  SELECT u.currency, sum(u.amount) AS total INTO unbalanced
  FROM unnest(p_currencies, p_amounts) AS u(currency, amount)
  GROUP BY u.currency HAVING sum(u.amount) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'postings do not balance: % postings sum to %', unbalanced.currency, unbalanced.total
      USING ERRCODE = 'LG002';
  END IF;

  INSERT INTO ledger_transactions (idempotency_key, kind, metadata, contract_id, request_hash)
  VALUES (p_idempotency_key, p_kind, coalesce(p_metadata, '{}'::jsonb), p_contract_id, p_request_hash)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, ledger_transactions.created_at INTO tx_id, tx_created;

  IF tx_id IS NULL THEN
    SELECT t.id, t.request_hash, t.created_at INTO existing
    FROM ledger_transactions t WHERE t.idempotency_key = p_idempotency_key;
    IF existing.request_hash IS DISTINCT FROM p_request_hash THEN
      RAISE EXCEPTION 'idempotency key % was already used for a different ledger transaction',
        p_idempotency_key USING ERRCODE = 'LG004',
        DETAIL = json_build_object('transactionId', existing.id::text)::text;
    END IF;
    RETURN QUERY
      SELECT existing.id, true, existing.created_at,
             array_agg(p.id ORDER BY p.id), array_agg(p.account_id ORDER BY p.id),
             array_agg(p.balance_after ORDER BY p.id)
      FROM ledger_postings p WHERE p.transaction_id = existing.id;
    RETURN;
  END IF;

  ids := ledger_resolve_accounts(p_codes, p_owner_types, p_owner_ids, p_purposes, p_currencies,
                                 p_allow_negative);

  PERFORM 1 FROM ledger_balances b WHERE b.account_id = ANY(ids) ORDER BY b.account_id FOR UPDATE;

  SELECT a.code, b.posted - b.held AS available, -d.delta AS debit INTO short
  FROM (SELECT u.account_id, sum(u.amount) AS delta
        FROM unnest(ids, p_amounts) AS u(account_id, amount) GROUP BY u.account_id) d
  JOIN ledger_balances b ON b.account_id = d.account_id
  JOIN ledger_accounts a ON a.id = d.account_id
  WHERE d.delta < 0 AND NOT b.allow_negative AND b.posted - b.held + d.delta < 0
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insufficient funds in %: available %, needed %', short.code, short.available, short.debit
      USING ERRCODE = 'LG003',
      DETAIL = json_build_object('account', short.code, 'available', short.available::text,
                                 'required', short.debit::text)::text;
  END IF;

  posted_at := clock_timestamp();
  RETURN QUERY
  WITH moves AS (
    SELECT u.ord, u.account_id, u.amount, u.currency,
           b.posted + sum(u.amount) OVER w AS balance_after,
           b.version + row_number() OVER w AS account_version
    FROM unnest(ids, p_amounts, p_currencies) WITH ORDINALITY AS u(account_id, amount, currency, ord)
    JOIN ledger_balances b ON b.account_id = u.account_id
    WINDOW w AS (PARTITION BY u.account_id ORDER BY u.ord)
  ), inserted AS (
    INSERT INTO ledger_postings (transaction_id, account_id, amount, currency, balance_after,
                                 account_version, created_at)
    SELECT tx_id, m.account_id, m.amount, m.currency, m.balance_after, m.account_version, posted_at
    FROM moves m ORDER BY m.ord
    RETURNING ledger_postings.id, ledger_postings.account_id, ledger_postings.account_version,
              ledger_postings.balance_after
  ), updated AS (
    UPDATE ledger_balances b
    SET posted = d.balance_after, version = d.account_version, updated_at = posted_at
    FROM (SELECT DISTINCT ON (m.account_id) m.account_id, m.balance_after, m.account_version
          FROM moves m ORDER BY m.account_id, m.ord DESC) d
    WHERE b.account_id = d.account_id
  )
  SELECT tx_id, false, tx_created,
         array_agg(i.id ORDER BY i.id), array_agg(i.account_id ORDER BY i.id),
         array_agg(i.balance_after ORDER BY i.id)
  FROM inserted i;
END $$;

-- Two-phase transfers. A hold reserves funds (counted in `held`, so `available` drops) until it
-- is committed (the transfer is posted) or voided/expired (the reservation is released).
CREATE FUNCTION ledger_create_hold(
  p_idempotency_key text, p_code text, p_owner_type text, p_owner_id text, p_purpose text,
  p_currency text, p_allow_negative boolean, p_amount bigint, p_expires_at timestamptz,
  p_metadata jsonb
) RETURNS TABLE (hold_id bigint, replayed boolean, status text, account_id bigint, amount bigint,
                 expires_at timestamptz, created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
  new_id bigint;
  existing record;
  bal record;
BEGIN
  IF p_amount IS NULL OR p_amount <= 0 THEN
    RAISE EXCEPTION 'a hold amount must be greater than zero' USING ERRCODE = 'LG007';
  END IF;
  ids := ledger_resolve_accounts(ARRAY[p_code], ARRAY[p_owner_type], ARRAY[p_owner_id],
                                 ARRAY[p_purpose], ARRAY[p_currency], ARRAY[p_allow_negative]);

  INSERT INTO ledger_holds (idempotency_key, account_id, currency, amount, expires_at, metadata)
  VALUES (p_idempotency_key, ids[1], p_currency, p_amount, p_expires_at, coalesce(p_metadata, '{}'::jsonb))
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO new_id;

  IF new_id IS NULL THEN
    SELECT * INTO existing FROM ledger_holds h WHERE h.idempotency_key = p_idempotency_key;
    IF existing.account_id <> ids[1] OR existing.amount <> p_amount THEN
      RAISE EXCEPTION 'idempotency key % was already used for a different hold', p_idempotency_key
        USING ERRCODE = 'LG004', DETAIL = json_build_object('holdId', existing.id::text)::text;
    END IF;
    RETURN QUERY SELECT existing.id, true, existing.status, existing.account_id, existing.amount,
                        existing.expires_at, existing.created_at;
    RETURN;
  END IF;

  SELECT b.posted, b.held, b.allow_negative INTO bal
  FROM ledger_balances b WHERE b.account_id = ids[1] FOR UPDATE;
  IF NOT bal.allow_negative AND bal.posted - bal.held < p_amount THEN
    RAISE EXCEPTION 'insufficient funds in %: available %, needed %', p_code, bal.posted - bal.held, p_amount
      USING ERRCODE = 'LG003',
      DETAIL = json_build_object('account', p_code, 'available', (bal.posted - bal.held)::text,
                                 'required', p_amount::text)::text;
  END IF;
  UPDATE ledger_balances b SET held = b.held + p_amount, updated_at = clock_timestamp()
  WHERE b.account_id = ids[1];

  RETURN QUERY SELECT h.id, false, h.status, h.account_id, h.amount, h.expires_at, h.created_at
               FROM ledger_holds h WHERE h.id = new_id;
END $$;

-- Releases the reservation of a pending hold (the caller holds its row lock).
CREATE FUNCTION ledger_release_hold(p_hold ledger_holds, p_status text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE ledger_balances b SET held = b.held - p_hold.amount, updated_at = clock_timestamp()
  WHERE b.account_id = p_hold.account_id;
  UPDATE ledger_holds h SET status = p_status, resolved_at = clock_timestamp() WHERE h.id = p_hold.id;
END $$;

-- Posts the held amount (or part of it, releasing the rest) from the held account to the
-- destination. Idempotent: committing again with the same key returns the first result.
CREATE FUNCTION ledger_commit_hold(
  p_hold_id bigint, p_idempotency_key text, p_kind text, p_metadata jsonb, p_contract_id text,
  p_request_hash text, p_amount bigint,
  p_to_code text, p_to_owner_type text, p_to_owner_id text, p_to_purpose text,
  p_to_allow_negative boolean
) RETURNS TABLE (
  transaction_id bigint, replayed boolean, created_at timestamptz,
  posting_ids bigint[], account_ids bigint[], balances_after bigint[]
) LANGUAGE plpgsql AS $$
DECLARE
  hold ledger_holds;
  held_code text;
  to_ids bigint[];
  amount bigint;
BEGIN
  SELECT * INTO hold FROM ledger_holds h WHERE h.id = p_hold_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'hold % does not exist', p_hold_id USING ERRCODE = 'LG006';
  END IF;
  IF hold.status = 'committed' THEN
    IF EXISTS (SELECT 1 FROM ledger_transactions t
               WHERE t.id = hold.commit_transaction_id AND t.idempotency_key = p_idempotency_key) THEN
      RETURN QUERY SELECT r.transaction_id, true, r.created_at, r.posting_ids, r.account_ids, r.balances_after
        FROM ledger_transactions t
        CROSS JOIN LATERAL (
          SELECT t.id AS transaction_id, t.created_at,
                 array_agg(p.id ORDER BY p.id) AS posting_ids,
                 array_agg(p.account_id ORDER BY p.id) AS account_ids,
                 array_agg(p.balance_after ORDER BY p.id) AS balances_after
          FROM ledger_postings p WHERE p.transaction_id = t.id) r
        WHERE t.id = hold.commit_transaction_id;
      RETURN;
    END IF;
    RAISE EXCEPTION 'hold % is already committed', p_hold_id USING ERRCODE = 'LG005',
      DETAIL = json_build_object('holdId', hold.id::text, 'status', hold.status)::text;
  END IF;
  IF hold.status <> 'pending' THEN
    RAISE EXCEPTION 'hold % is %', p_hold_id, hold.status USING ERRCODE = 'LG005',
      DETAIL = json_build_object('holdId', hold.id::text, 'status', hold.status)::text;
  END IF;
  IF hold.expires_at IS NOT NULL AND hold.expires_at <= clock_timestamp() THEN
    RAISE EXCEPTION 'hold % expired at %', p_hold_id, hold.expires_at USING ERRCODE = 'LG005',
      DETAIL = json_build_object('holdId', hold.id::text, 'status', 'expired')::text;
  END IF;
  amount := coalesce(p_amount, hold.amount);
  IF amount <= 0 OR amount > hold.amount THEN
    RAISE EXCEPTION 'commit amount % must be between 1 and the held %', amount, hold.amount
      USING ERRCODE = 'LG007';
  END IF;

  SELECT a.code INTO held_code FROM ledger_accounts a WHERE a.id = hold.account_id;
  to_ids := ledger_resolve_accounts(ARRAY[p_to_code], ARRAY[p_to_owner_type], ARRAY[p_to_owner_id],
                                    ARRAY[p_to_purpose], ARRAY[hold.currency::text],
                                    ARRAY[p_to_allow_negative]);
  -- Both balance rows, in id order, before touching either: the same order every transfer uses.
  PERFORM 1 FROM ledger_balances b WHERE b.account_id IN (hold.account_id, to_ids[1])
    ORDER BY b.account_id FOR UPDATE;
  PERFORM ledger_release_hold(hold, 'committed');

  RETURN QUERY SELECT * FROM ledger_post_transaction(
    p_idempotency_key, p_kind,
    coalesce(p_metadata, '{}'::jsonb) || jsonb_build_object('holdId', hold.id::text),
    p_contract_id, p_request_hash,
    ARRAY[held_code, p_to_code], ARRAY[-amount, amount], ARRAY[hold.currency::text, hold.currency::text],
    -- the held account exists, so its creation attributes are never read
    ARRAY[NULL, p_to_owner_type], ARRAY[NULL, p_to_owner_id], ARRAY[NULL, p_to_purpose],
    ARRAY[NULL, p_to_allow_negative]) r;
  -- The posting result is already returned: record which transaction committed the hold.
  UPDATE ledger_holds h SET commit_transaction_id = t.id
  FROM ledger_transactions t WHERE h.id = hold.id AND t.idempotency_key = p_idempotency_key;
END $$;

CREATE FUNCTION ledger_void_hold(p_hold_id bigint) RETURNS TABLE (hold_id bigint, replayed boolean, status text)
LANGUAGE plpgsql AS $$
DECLARE
  hold ledger_holds;
BEGIN
  SELECT * INTO hold FROM ledger_holds h WHERE h.id = p_hold_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'hold % does not exist', p_hold_id USING ERRCODE = 'LG006';
  END IF;
  IF hold.status IN ('voided', 'expired') THEN
    RETURN QUERY SELECT hold.id, true, hold.status;
    RETURN;
  END IF;
  IF hold.status <> 'pending' THEN
    RAISE EXCEPTION 'hold % is %', p_hold_id, hold.status USING ERRCODE = 'LG005',
      DETAIL = json_build_object('holdId', hold.id::text, 'status', hold.status)::text;
  END IF;
  PERFORM 1 FROM ledger_balances b WHERE b.account_id = hold.account_id FOR UPDATE;
  PERFORM ledger_release_hold(hold, 'voided');
  RETURN QUERY SELECT hold.id, false, 'voided'::text;
END $$;

-- Releases pending holds whose expiry has passed (run periodically). Holds another session is
-- working on are skipped, not waited for.
CREATE FUNCTION ledger_expire_holds(p_now timestamptz, p_limit int) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
DECLARE
  hold_ids bigint[];
  hold ledger_holds;
BEGIN
  SELECT array_agg(h.id) INTO hold_ids FROM (
    SELECT h.id FROM ledger_holds h
    WHERE h.status = 'pending' AND h.expires_at <= p_now
    ORDER BY h.expires_at LIMIT p_limit
    FOR UPDATE SKIP LOCKED) h;
  IF hold_ids IS NULL THEN
    RETURN;
  END IF;
  -- Balance rows in id order, as every transfer takes them.
  PERFORM 1 FROM ledger_balances b
  WHERE b.account_id IN (SELECT h.account_id FROM ledger_holds h WHERE h.id = ANY(hold_ids))
  ORDER BY b.account_id FOR UPDATE;
  FOR hold IN SELECT * FROM ledger_holds h WHERE h.id = ANY(hold_ids) LOOP
    PERFORM ledger_release_hold(hold, 'expired');
    RETURN NEXT hold.id;
  END LOOP;
END $$;
