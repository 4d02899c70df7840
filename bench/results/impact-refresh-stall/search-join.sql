-- The same hazard in a search statement (not fixed yet): PostingsAggregation's sums join the query's lexemes to
-- postings on (collection_id = <constant>, lexeme = q.lexeme). Setup on the dev cluster's public schema:
-- 'old' = the first 20,000 Debian descriptions, then ANALYZE postings, then 'fresh' = the next 5,000
-- (loupe import --mode incremental; under 10,000 documents the import runs no ANALYZE). Autovacuum was off on
-- postings between that ANALYZE and this run, to keep the state autovacuum leaves for a while in practice.
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/impact-refresh-stall/search-join.sql > bench/results/impact-refresh-stall/search-join.out 2>&1
SELECT id FROM collections WHERE name = 'fresh' \gset
EXPLAIN SELECT * FROM postings WHERE collection_id = :'id';
-- As PostingsAggregation writes it (a plain join):
EXPLAIN (ANALYZE, COSTS OFF) WITH q AS MATERIALIZED (SELECT * FROM unnest('{web,server}'::text[], '{1.5,2.0}'::float8[]) WITH ORDINALITY AS q(lexeme, idf, position))
SELECT p.document_id AS id, sum(q.idf * p.impact) AS approximate
FROM q JOIN postings p ON p.collection_id = :'id' AND p.lexeme = q.lexeme
GROUP BY p.document_id;
-- The candidate fix: each list read by its key behind OFFSET 0.
EXPLAIN (ANALYZE, COSTS OFF) WITH q AS MATERIALIZED (SELECT * FROM unnest('{web,server}'::text[], '{1.5,2.0}'::float8[]) WITH ORDINALITY AS q(lexeme, idf, position))
SELECT p.document_id AS id, sum(q.idf * p.impact) AS approximate
FROM q CROSS JOIN LATERAL (SELECT p.document_id, p.impact FROM postings p
                           WHERE p.collection_id = :'id' AND p.lexeme = q.lexeme OFFSET 0) AS p
GROUP BY p.document_id;
