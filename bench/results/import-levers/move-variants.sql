-- Three ways to write a bulk publication's move (the scale corpus's 307,850 staged rows into a copy of `documents`
-- with all its indexes, in id order, after a CHECKPOINT, one transaction each), alternated three times:
--   upsert:   what the publication runs (INSERT ... ON CONFLICT (collection_id, external_id) DO UPDATE);
--   plain:    INSERT without ON CONFLICT (only possible when no row can conflict, e.g. an empty collection);
--   pending:  the upsert with gin_pending_list_limit 512MB for the transaction, then gin_clean_pending_list on the
--             three GIN indexes before COMMIT (the default is 4MB: the inserting backend merges the list each time
--             it fills).
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/import-levers/move-variants.sql > bench/results/import-levers/move-variants.out 2>&1
\timing on
SET work_mem = '256MB';
SET maintenance_work_mem = '256MB';
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS move_variants CASCADE;
CREATE SCHEMA move_variants;
CREATE UNLOGGED TABLE move_variants.staged AS
    SELECT id, collection_id, external_id, document, search_vector, stop_vector, class_lengths FROM bench_scale.documents;
CREATE TABLE move_variants.documents (LIKE bench_scale.documents INCLUDING ALL);
\set columns 'id, collection_id, external_id, document, search_vector, stop_vector, class_lengths'
\set select 'SELECT ' :columns ' FROM move_variants.staged ORDER BY external_id'
\set upsert 'INSERT INTO move_variants.documents (' :columns ') ' :select ' ON CONFLICT (collection_id, external_id) DO UPDATE SET document = EXCLUDED.document, search_vector = EXCLUDED.search_vector, stop_vector = EXCLUDED.stop_vector, class_lengths = EXCLUDED.class_lengths, deleted_at = NULL WHERE move_variants.documents.document IS DISTINCT FROM EXCLUDED.document OR move_variants.documents.deleted_at IS NOT NULL OR move_variants.documents.search_vector IS DISTINCT FROM EXCLUDED.search_vector;'
\set plain 'INSERT INTO move_variants.documents (' :columns ') ' :select ';'
\set clean 'SELECT count(gin_clean_pending_list(i.indexrelid)) AS cleaned FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = \'move_variants.documents\'::regclass AND a.amname = \'gin\';'
\set upsert_round 'CHECKPOINT; BEGIN; ' :upsert ' COMMIT; TRUNCATE move_variants.documents;'
\set plain_round 'CHECKPOINT; BEGIN; ' :plain ' COMMIT; TRUNCATE move_variants.documents;'
\set pending_round 'CHECKPOINT; BEGIN; SET LOCAL gin_pending_list_limit = \'512MB\'; ' :upsert ' ' :clean ' COMMIT; TRUNCATE move_variants.documents;'
\echo round 1 upsert
:upsert_round
\echo round 1 plain
:plain_round
\echo round 1 pending
:pending_round
\echo round 2 upsert
:upsert_round
\echo round 2 plain
:plain_round
\echo round 2 pending
:pending_round
\echo round 3 upsert
:upsert_round
\echo round 3 plain
:plain_round
\echo round 3 pending
:pending_round
SELECT 'load: ' || pg_read_file('/proc/loadavg') || ' at ' || now() AS load;
DROP SCHEMA move_variants CASCADE;
