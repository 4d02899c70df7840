-- What the postings table's statement-level reference check (trg_postings_collection_insert, migration 0009)
-- costs a bulk import's insert of its 6.0M impact postings. The trigger declares a transition table, so
-- PostgreSQL keeps every inserted row in a tuplestore for it, then the check reads them twice.
-- Same rows (the scale corpus's postings, schema bench_scale), same indexes, same work_mem as the publication;
-- alternated: with the trigger, without, three rounds. The trigger runs the migrated function itself
-- (bench_scale's, which finds the rows' collection in bench_scale.collections).
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/import-levers/postings-check.sql > bench/results/import-levers/postings-check.out 2>&1
\timing on
SET maintenance_work_mem = '256MB';
SET work_mem = '256MB';
DROP SCHEMA IF EXISTS import_levers CASCADE;
CREATE SCHEMA import_levers;
SET search_path = import_levers;
CREATE UNLOGGED TABLE source AS
    SELECT collection_id, lexeme, document_id, impact FROM bench_scale.postings ORDER BY collection_id, lexeme COLLATE "C", document_id;
SELECT count(*) AS postings FROM source;
\set checked 'CREATE TABLE target (LIKE bench_scale.postings INCLUDING ALL); CREATE TRIGGER check_insert AFTER INSERT ON target REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bench_scale.postings_collection_check(); CHECKPOINT; BEGIN; INSERT INTO target SELECT * FROM source; COMMIT; DROP TABLE target;'
\set unchecked 'CREATE TABLE target (LIKE bench_scale.postings INCLUDING ALL); CHECKPOINT; BEGIN; INSERT INTO target SELECT * FROM source; COMMIT; DROP TABLE target;'
\echo round 1 with the check
:checked
\echo round 1 without
:unchecked
\echo round 2 with the check
:checked
\echo round 2 without
:unchecked
\echo round 3 with the check
:checked
\echo round 3 without
:unchecked
RESET search_path;
DROP SCHEMA import_levers CASCADE;
