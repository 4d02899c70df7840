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
SELECT (SELECT sa+sb FROM shares) bound,
  (SELECT xa+yb FROM exact WHERE xa IS NOT NULL AND yb IS NOT NULL ORDER BY 1 DESC OFFSET 10 LIMIT 1) theta_all,
  (SELECT s FROM (SELECT xa+yb s FROM (SELECT * FROM exact ORDER BY partial DESC LIMIT 161) p WHERE xa IS NOT NULL AND yb IS NOT NULL) z ORDER BY s DESC OFFSET 10 LIMIT 1) theta_pool161,
  (SELECT count(*) FROM exact WHERE ceiling >= (SELECT xa+yb FROM exact WHERE xa IS NOT NULL AND yb IS NOT NULL ORDER BY 1 DESC OFFSET 10 LIMIT 1)) probes_at_true_theta,
  (SELECT count(*) FROM exact WHERE ceiling >= (SELECT s FROM (SELECT xa+yb s FROM (SELECT * FROM exact ORDER BY partial DESC LIMIT 161) p WHERE xa IS NOT NULL AND yb IS NOT NULL) z ORDER BY s DESC OFFSET 10 LIMIT 1)) probes_at_pool_theta;
