-- What any bulk import of the scale corpus must spend beyond computing the vectors (the ceiling), measured
-- on the documents an import wrote (schema bench_scale, 307,850 documents).
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/import-floor/floor.sql > bench/results/import-floor/floor.out 2>&1
\timing on
SET maintenance_work_mem = '256MB';
SET max_parallel_maintenance_workers = 0;
DROP TABLE IF EXISTS public.import_floor;
-- The heap: the rows with their vectors, written once (unlogged: no WAL, a lower bound).
CREATE UNLOGGED TABLE public.import_floor AS
    SELECT id, collection_id, external_id, document, search_vector, stop_vector, class_lengths FROM bench_scale.documents;
-- The GIN indexes a collection is searched and filtered through, built in one pass each
-- (CREATE INDEX; a GIN build uses one core in PostgreSQL 15).
CREATE INDEX ON public.import_floor USING gin (search_vector);
CREATE INDEX ON public.import_floor USING gin (stop_vector);
CREATE INDEX ON public.import_floor USING gin (document jsonb_path_ops);
-- The two btrees of documents.
CREATE UNIQUE INDEX ON public.import_floor (id);
CREATE UNIQUE INDEX ON public.import_floor (collection_id, external_id);
DROP TABLE public.import_floor;
SELECT pg_size_pretty(pg_total_relation_size('bench_scale.documents')) AS documents_now;
