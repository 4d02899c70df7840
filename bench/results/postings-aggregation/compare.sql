-- PostingsAggregation's sums on the scale corpus (bench_scale, 307,850 documents, statistics fresh): the plain join
-- it used before session 8 against the fenced per-lexeme read it uses now, on the same queries in the same run,
-- alternating, 7 runs each; per query the median of each form, then the median ratio over the queries.
-- Queries: those of corpus/scale/queries-aol.jsonl whose English lexemes are all known to the collection and
-- whose postings total at most 2,000 (the exhaustive limit for an OR of plain terms), at most 60 of them.
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/postings-aggregation/compare.sql > bench/results/postings-aggregation/compare.out 2>&1
\set QUIET on
SET search_path = bench_scale, public;
CREATE TEMP TABLE raw (line jsonb);
\copy raw FROM 'corpus/scale/queries-aol.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
CREATE TEMP TABLE workload AS
WITH q AS (
    SELECT DISTINCT line->>'query' AS query, array(SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', line->>'query'))) ORDER BY 1) AS lexemes
    FROM raw
)
SELECT q.query, q.lexemes, sum(t.document_frequency) AS postings
FROM q JOIN collections c ON c.name = 'scale'
JOIN term_statistics t ON t.collection_id = c.id AND t.lexeme = ANY (q.lexemes)
WHERE cardinality(q.lexemes) BETWEEN 1 AND 6
GROUP BY q.query, q.lexemes
HAVING count(*) = cardinality(q.lexemes) AND sum(t.document_frequency) <= 2000
ORDER BY q.query LIMIT 60;
CREATE TEMP TABLE timings (query text, form text, run int, ms float8);
DO $$
DECLARE
    w record; r int; started timestamptz; cid uuid;
    plain text := $q$
        WITH q AS MATERIALIZED (SELECT * FROM unnest($2::text[], array_fill(1.0::float8, ARRAY[cardinality($2)])) WITH ORDINALITY AS q(lexeme, idf, position))
        SELECT count(*) FROM (SELECT p.document_id, sum(q.idf * p.impact) FROM q JOIN postings p ON p.collection_id = $1 AND p.lexeme = q.lexeme GROUP BY p.document_id) AS s$q$;
    fenced text := $q$
        WITH q AS MATERIALIZED (SELECT * FROM unnest($2::text[], array_fill(1.0::float8, ARRAY[cardinality($2)])) WITH ORDINALITY AS q(lexeme, idf, position))
        SELECT count(*) FROM (SELECT p.document_id, sum(q.idf * p.impact) FROM q CROSS JOIN LATERAL (
            SELECT p.document_id, p.impact FROM postings p WHERE p.collection_id = $1 AND p.lexeme = q.lexeme OFFSET 0) AS p
            GROUP BY p.document_id) AS s$q$;
BEGIN
    SELECT id INTO cid FROM collections WHERE name = 'scale';
    FOR w IN SELECT * FROM workload LOOP
        FOR r IN 1..7 LOOP
            started := clock_timestamp();
            EXECUTE plain USING cid, w.lexemes;
            INSERT INTO timings VALUES (w.query, 'plain join', r, extract(epoch FROM clock_timestamp() - started) * 1000);
            started := clock_timestamp();
            EXECUTE fenced USING cid, w.lexemes;
            INSERT INTO timings VALUES (w.query, 'fenced', r, extract(epoch FROM clock_timestamp() - started) * 1000);
        END LOOP;
    END LOOP;
END $$;
\set QUIET off
\echo machine: :VERSION
SELECT now() AS at, (SELECT count(*) FROM workload) AS queries, (SELECT min(postings) FROM workload) AS fewest_postings,
       (SELECT max(postings) FROM workload) AS most_postings;
WITH per AS (
    SELECT query, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE form = 'plain join') AS plain_ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE form = 'fenced') AS fenced_ms
    FROM timings GROUP BY query)
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY plain_ms)::numeric, 3) AS median_plain_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY fenced_ms)::numeric, 3) AS median_fenced_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY fenced_ms / plain_ms)::numeric, 3) AS median_ratio_fenced_over_plain,
       round(max(fenced_ms / plain_ms)::numeric, 3) AS worst_ratio,
       count(*) FILTER (WHERE fenced_ms > 1.2 * plain_ms) AS queries_over_1_2x
FROM per;
WITH per AS (
    SELECT t.query, w.postings, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE form = 'plain join') AS plain_ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE form = 'fenced') AS fenced_ms
    FROM timings t JOIN workload w USING (query) GROUP BY t.query, w.postings)
SELECT query, postings, round(plain_ms::numeric, 3) AS plain_ms, round(fenced_ms::numeric, 3) AS fenced_ms,
       round((fenced_ms / plain_ms)::numeric, 2) AS ratio
FROM per ORDER BY postings DESC;
