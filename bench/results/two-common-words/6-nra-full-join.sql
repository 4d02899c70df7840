set search_path=bench_scale;
\timing on
WITH a AS MATERIALIZED (SELECT p.document_id, p.impact FROM postings p WHERE p.collection_id = '408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND p.lexeme = 'n' ORDER BY p.impact DESC LIMIT 32768),
b AS MATERIALIZED (SELECT p.document_id, p.impact FROM postings p WHERE p.collection_id = '408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND p.lexeme = 'webster' ORDER BY p.impact DESC LIMIT 32768),
j AS MATERIALIZED (SELECT a.document_id AS aid, b.document_id AS bid, a.impact AS ai, b.impact AS bi FROM a FULL JOIN b ON a.document_id = b.document_id),
top AS (SELECT aid, 1.3553253615935048*ai + 1.0005524944039554*bi AS score FROM j WHERE aid IS NOT NULL AND bid IS NOT NULL ORDER BY 2 DESC, 1 LIMIT 11)
SELECT (SELECT min(score) FROM top), (SELECT count(*) FROM j WHERE bid IS NULL OR aid IS NULL);
