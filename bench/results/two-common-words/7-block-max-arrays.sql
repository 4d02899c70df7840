set search_path=bench_scale;
\timing on
DROP TABLE IF EXISTS public.blk_test;
CREATE TABLE public.blk_test AS
SELECT lexeme, (rn - 1) / 128 AS block, min(document_id::text)::uuid AS first_doc, max(impact) AS max_impact,
       array_agg(document_id ORDER BY document_id) AS docs, array_agg(impact ORDER BY document_id) AS impacts
FROM (SELECT lexeme, document_id, impact, row_number() OVER (PARTITION BY lexeme ORDER BY document_id) AS rn
      FROM postings WHERE collection_id = '408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND lexeme IN ('n','webster')) s
GROUP BY lexeme, (rn - 1) / 128;
CREATE INDEX ON public.blk_test (lexeme, max_impact DESC);
ANALYZE public.blk_test;
SELECT lexeme, count(*), pg_size_pretty(sum(pg_column_size(docs) + pg_column_size(impacts))) FROM public.blk_test GROUP BY 1;
-- theta 3.45 (a lower bound somewhat below the exact 3.536)
WITH a AS (SELECT u.d, u.i FROM public.blk_test b, unnest(b.docs, b.impacts) AS u(d, i)
           WHERE b.lexeme = 'n' AND b.max_impact >= (3.45 - 1.0005524944039554 * 1.7187437764847984) / 1.3553253615935048
             AND u.i >= (3.45 - 1.0005524944039554 * 1.7187437764847984) / 1.3553253615935048),
     bb AS (SELECT u.d, u.i FROM public.blk_test b, unnest(b.docs, b.impacts) AS u(d, i)
           WHERE b.lexeme = 'webster' AND b.max_impact >= (3.45 - 1.3553253615935048 * 1.7378705387490259) / 1.0005524944039554
             AND u.i >= (3.45 - 1.3553253615935048 * 1.7378705387490259) / 1.0005524944039554)
SELECT count(*), min(s) FROM (SELECT 1.3553253615935048 * a.i + 1.0005524944039554 * bb.i AS s FROM a JOIN bb USING (d) ORDER BY s DESC LIMIT 11) x;
EXPLAIN (ANALYZE, COSTS OFF) WITH a AS (SELECT u.d, u.i FROM public.blk_test b, unnest(b.docs, b.impacts) AS u(d, i)
           WHERE b.lexeme = 'n' AND b.max_impact >= (3.45 - 1.0005524944039554 * 1.7187437764847984) / 1.3553253615935048
             AND u.i >= (3.45 - 1.0005524944039554 * 1.7187437764847984) / 1.3553253615935048),
     bb AS (SELECT u.d, u.i FROM public.blk_test b, unnest(b.docs, b.impacts) AS u(d, i)
           WHERE b.lexeme = 'webster' AND b.max_impact >= (3.45 - 1.3553253615935048 * 1.7378705387490259) / 1.0005524944039554
             AND u.i >= (3.45 - 1.3553253615935048 * 1.7378705387490259) / 1.0005524944039554)
SELECT count(*), min(s) FROM (SELECT 1.3553253615935048 * a.i + 1.0005524944039554 * bb.i AS s FROM a JOIN bb USING (d) ORDER BY s DESC LIMIT 11) x;
DROP TABLE public.blk_test;
