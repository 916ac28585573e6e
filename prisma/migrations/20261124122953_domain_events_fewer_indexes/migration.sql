-- DropIndex
DROP INDEX "domain_events_aggregate_type_aggregate_id_idx";

-- DropIndex
DROP INDEX "domain_events_created_at_idx";

-- Hand-written note: every domain_events index costs each POST /deposit an index insertion (and
-- its WAL). No query reads events by aggregate, and the only reader of created_at alone (the
-- money-events gauge) now walks the (type, created_at) index type by type.
