-- Writing a bulk import's 6.0M impact postings: into a table with the postings indexes (what the publication
-- does today) against into a bare table, then building the two btrees (what a per-collection partition built
-- apart and then attached would allow; the two builds could run at once on two connections).
-- The rows are the scale corpus's postings (schema bench_scale, 307,850 documents), sorted as the publication
-- writes them.
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/import-levers/postings-build.sql > bench/results/import-levers/postings-build.out 2>&1
\timing on
SET maintenance_work_mem = '256MB';
SET work_mem = '256MB';
SET max_parallel_maintenance_workers = 0;
DROP SCHEMA IF EXISTS import_levers CASCADE;
CREATE SCHEMA import_levers;
CREATE UNLOGGED TABLE import_levers.source AS
    SELECT collection_id, lexeme, document_id, impact FROM bench_scale.postings ORDER BY collection_id, lexeme COLLATE "C", document_id;
SELECT count(*) AS postings FROM import_levers.source;
-- Today: the indexed table (both btrees maintained row by row).
CREATE TABLE import_levers.indexed (LIKE bench_scale.postings INCLUDING ALL);
INSERT INTO import_levers.indexed SELECT * FROM import_levers.source;
-- The alternative: a bare table, then one CREATE INDEX per btree.
CREATE TABLE import_levers.bare (LIKE bench_scale.postings);
INSERT INTO import_levers.bare SELECT * FROM import_levers.source;
ALTER TABLE import_levers.bare ADD PRIMARY KEY (collection_id, lexeme, document_id) INCLUDE (impact);
CREATE INDEX ON import_levers.bare (collection_id, lexeme, impact DESC) INCLUDE (document_id);
DROP SCHEMA import_levers CASCADE;
