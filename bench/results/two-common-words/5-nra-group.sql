set search_path=bench_scale;
\timing on

WITH q AS MATERIALIZED (SELECT * FROM unnest('{n,webster}'::text[], '{1.3553253615935048,1.0005524944039554}'::float8[]) WITH ORDINALITY AS q(lexeme, idf, position)),
reading AS (SELECT * FROM unnest('{32768,32768}'::int8[], '{Infinity,Infinity}'::float8[]) WITH ORDINALITY AS r(depth, ceiling, position)),
heads AS MATERIALIZED (
    SELECT q.position, h.document_id, h.impact
    FROM q JOIN reading r USING (position) CROSS JOIN LATERAL (
        SELECT p.document_id, p.impact FROM postings p
        WHERE p.collection_id = '408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND p.lexeme = q.lexeme AND p.impact <= r.ceiling
        ORDER BY p.impact DESC LIMIT r.depth) AS h
),
lists AS MATERIALIZED (
    SELECT q.position, coalesce(max(h.impact), 0) AS best,
           CASE WHEN count(h.impact) < r.depth THEN 0 ELSE q.idf * min(h.impact) END AS unseen
    FROM q JOIN reading r USING (position) LEFT JOIN heads h ON h.position = q.position
    GROUP BY q.position, q.idf, r.depth
),
bound AS MATERIALIZED (
    SELECT sum(unseen) AS value, coalesce(bit_or(1::int8 << (position::int - 1)) FILTER (WHERE unseen = 0), 0) AS exhausted
    FROM lists
),
docs AS MATERIALIZED (
    SELECT h.document_id AS id, sum(q.idf * h.impact) AS partial,
           sum(q.idf * h.impact) + (SELECT value FROM bound) - sum(l.unseen) AS ceiling,
           array_agg(h.position) AS positions, array_agg(h.impact) AS impacts, bit_or(1::int8 << (h.position::int - 1)) AS seen
    FROM heads h JOIN q ON q.position = h.position JOIN lists l ON l.position = h.position
    GROUP BY h.document_id
),
decided AS MATERIALIZED (
    SELECT d.id, e.score FROM docs d CROSS JOIN LATERAL (SELECT coalesce(sum(t.idf * t.impact), 0) AS score FROM (SELECT q.idf, q.position, d.impacts[array_position(d.positions, q.position)] AS impact FROM q) AS t) AS e
    WHERE (d.seen | (SELECT exhausted FROM bound)) = 3 AND d.seen = 3
),
top AS MATERIALIZED (SELECT id, score FROM decided ORDER BY score DESC, id LIMIT 11)
SELECT (SELECT value FROM bound), (SELECT min(score) FROM top), (SELECT count(*) FROM docs WHERE seen <> 3 AND ceiling >= (SELECT min(score) FROM top));
