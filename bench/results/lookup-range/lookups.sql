-- 4,096 postings lookups of 'n' for the best 'webster' documents on the scale corpus (schema bench_scale),
-- in the forms the pruned top-k strategies can write them. Each form runs twice; the second is warm.
-- psql "$(.build/release/loupe db url)" -f bench/results/lookup-range/lookups.sql
\timing on
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ids AS
    SELECT collection_id, document_id FROM bench_scale.postings WHERE lexeme = 'webster' ORDER BY impact DESC LIMIT 4096;
\echo '== before: the first posting from this document on (range open above), LIMIT 1'
SELECT count(x) FROM (SELECT (SELECT CASE WHEN p.document_id = i.document_id THEN p.impact END FROM bench_scale.postings p
    WHERE p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id >= i.document_id
    ORDER BY p.document_id LIMIT 1) AS x FROM ids i) s;
SELECT count(x) FROM (SELECT (SELECT CASE WHEN p.document_id = i.document_id THEN p.impact END FROM bench_scale.postings p
    WHERE p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id >= i.document_id
    ORDER BY p.document_id LIMIT 1) AS x FROM ids i) s;
\echo '== equality (the planner may take the impact index while a table has no statistics)'
SELECT count(x) FROM (SELECT (SELECT p.impact FROM bench_scale.postings p
    WHERE p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id = i.document_id) AS x FROM ids i) s;
SELECT count(x) FROM (SELECT (SELECT p.impact FROM bench_scale.postings p
    WHERE p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id = i.document_id) AS x FROM ids i) s;
\echo '== after: a range closed on both ends, in document order, LIMIT 1'
SELECT count(x) FROM (SELECT (SELECT p.impact FROM bench_scale.postings p
    WHERE p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id >= i.document_id AND p.document_id <= i.document_id
    ORDER BY p.document_id LIMIT 1) AS x FROM ids i) s;
SELECT count(x) FROM (SELECT (SELECT p.impact FROM bench_scale.postings p
    WHERE p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id >= i.document_id AND p.document_id <= i.document_id
    ORDER BY p.document_id LIMIT 1) AS x FROM ids i) s;
\echo '== a join on equality, for scale'
SELECT count(*) FROM ids i JOIN bench_scale.postings p
    ON p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id = i.document_id;
SELECT count(*) FROM ids i JOIN bench_scale.postings p
    ON p.collection_id = i.collection_id AND p.lexeme = 'n' AND p.document_id = i.document_id;
