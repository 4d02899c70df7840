-- How much of a bulk publication's postings insert is spent on the lexemes that packed postings already hold
-- (document frequency >= 128, `PostingsPacker.Options.minimumDocumentFrequency`)? The scale corpus's postings
-- (schema bench_scale) into a copy of `postings` (both btrees, the migrated reference check): all of them, against
-- only those of the rarer lexemes, alternated three times after a CHECKPOINT each.
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/import-levers/rare-postings.sql > bench/results/import-levers/rare-postings.out 2>&1
\timing on
SET work_mem = '256MB';
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS rare_postings CASCADE;
CREATE SCHEMA rare_postings;
CREATE UNLOGGED TABLE rare_postings.source AS
    SELECT p.collection_id, p.lexeme, p.document_id, p.impact, t.document_frequency >= 128 AS common
    FROM bench_scale.postings p JOIN bench_scale.term_statistics t USING (collection_id, lexeme)
    ORDER BY p.collection_id, p.lexeme COLLATE "C", p.document_id;
SELECT count(*) AS postings, count(*) FILTER (WHERE common) AS in_common_lexemes,
       count(DISTINCT lexeme) FILTER (WHERE common) AS common_lexemes, count(DISTINCT lexeme) AS lexemes
FROM rare_postings.source;
\set fresh 'DROP TABLE IF EXISTS rare_postings.target; CREATE TABLE rare_postings.target (LIKE bench_scale.postings INCLUDING ALL); CREATE TRIGGER check_insert AFTER INSERT ON rare_postings.target REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bench_scale.postings_collection_check(); CHECKPOINT;'
\set all 'INSERT INTO rare_postings.target SELECT collection_id, lexeme, document_id, impact FROM rare_postings.source;'
\set rare 'INSERT INTO rare_postings.target SELECT collection_id, lexeme, document_id, impact FROM rare_postings.source WHERE NOT common;'
\echo round 1 all
:fresh
:all
\echo round 1 rare only
:fresh
:rare
\echo round 2 all
:fresh
:all
\echo round 2 rare only
:fresh
:rare
\echo round 3 all
:fresh
:all
\echo round 3 rare only
:fresh
:rare
SELECT 'load: ' || pg_read_file('/proc/loadavg') || ' at ' || now() AS load;
DROP SCHEMA rare_postings CASCADE;
