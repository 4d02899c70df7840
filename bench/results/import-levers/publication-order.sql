-- What sorting the bulk publication's move into id order costs (session 10).
-- The publication inserts the staged rows into `documents` with ON CONFLICT; this times the same insert of the
-- scale corpus's 307,850 rows (from a finished import, in their heap order, which is the files' order) into a copy
-- of `documents` with all its indexes, in staging order and with ORDER BY external_id, alternated three times.
-- work_mem is what the publication sets (maintenance_work_mem, 256MB here).
--   psql "$(.build/release/loupe db url)" -f bench/results/import-levers/publication-order.sql > bench/results/import-levers/publication-order.out 2>&1
\timing on
SET work_mem = '256MB';
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS publication_order CASCADE;
CREATE SCHEMA publication_order;
CREATE UNLOGGED TABLE publication_order.staged AS
    SELECT id, collection_id, external_id, document, search_vector, stop_vector, class_lengths FROM bench_scale.documents;
CREATE TABLE publication_order.documents (LIKE bench_scale.documents INCLUDING ALL);
\set columns 'id, collection_id, external_id, document, search_vector, stop_vector, class_lengths'
\set staging_order 'INSERT INTO publication_order.documents (' :columns ') SELECT ' :columns ' FROM publication_order.staged ON CONFLICT (collection_id, external_id) DO NOTHING'
\set id_order 'INSERT INTO publication_order.documents (' :columns ') SELECT ' :columns ' FROM publication_order.staged ORDER BY external_id ON CONFLICT (collection_id, external_id) DO NOTHING'
\echo staging order
:staging_order;
TRUNCATE publication_order.documents;
\echo id order
:id_order;
TRUNCATE publication_order.documents;
\echo staging order
:staging_order;
TRUNCATE publication_order.documents;
\echo id order
:id_order;
TRUNCATE publication_order.documents;
\echo staging order
:staging_order;
TRUNCATE publication_order.documents;
\echo id order
:id_order;
\echo is the staging order already the id order? (rows out of order)
SELECT count(*) FILTER (WHERE external_id < previous) AS out_of_order, count(*) AS rows
FROM (SELECT external_id, lag(external_id) OVER (ORDER BY ctid) AS previous FROM publication_order.staged) AS s;
SELECT 'load: ' || pg_read_file('/proc/loadavg') AS load;
DROP SCHEMA publication_order CASCADE;
