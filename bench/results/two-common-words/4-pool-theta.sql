set search_path=bench_scale;
\timing on
WITH a AS (SELECT document_id, impact FROM postings WHERE collection_id='408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND lexeme='n' ORDER BY impact DESC LIMIT 2048),
b AS (SELECT document_id, impact FROM postings WHERE collection_id='408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND lexeme='webster' ORDER BY impact DESC LIMIT 2048),
shares AS (SELECT 1.3553253615935048*(SELECT min(impact) FROM a) AS sa, 1.0005524944039554*(SELECT min(impact) FROM b) AS sb),
cand AS (
  SELECT a.document_id id, 1.3553253615935048*a.impact AS partial, 1.3553253615935048*a.impact + (SELECT sb FROM shares) AS ceiling FROM a
  UNION ALL
  SELECT b.document_id, 1.0005524944039554*b.impact, 1.0005524944039554*b.impact + (SELECT sa FROM shares) FROM b),
exact AS (
  SELECT c.*, (SELECT 1.3553253615935048*p.impact FROM postings p WHERE p.collection_id='408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND p.lexeme='n' AND p.document_id=c.id) AS xa,
              (SELECT 1.0005524944039554*p.impact FROM postings p WHERE p.collection_id='408c01c5-5c48-4141-b2fd-f3a4dcab9859' AND p.lexeme='webster' AND p.document_id=c.id) AS yb
  FROM cand c)
SELECT n, (SELECT s FROM (SELECT xa+yb s FROM (SELECT * FROM exact ORDER BY ceiling DESC, id LIMIT n) p WHERE xa IS NOT NULL AND yb IS NOT NULL) z ORDER BY s DESC OFFSET 10 LIMIT 1) theta_by_ceiling,
 (SELECT s FROM (SELECT xa+yb s FROM (SELECT * FROM exact ORDER BY partial DESC, id LIMIT n) p WHERE xa IS NOT NULL AND yb IS NOT NULL) z ORDER BY s DESC OFFSET 10 LIMIT 1) theta_by_partial
FROM unnest('{161,256,512,1024}'::int[]) n;
