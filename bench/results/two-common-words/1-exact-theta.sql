set search_path=bench_scale;
\timing on
with a as (select document_id, impact from postings where collection_id='408c01c5-5c48-4141-b2fd-f3a4dcab9859' and lexeme='n'),
b as (select document_id, impact from postings where collection_id='408c01c5-5c48-4141-b2fd-f3a4dcab9859' and lexeme='webster'),
s as (select 1.3553253615935048*a.impact + 1.0005524944039554*b.impact as score from a join b using (document_id) order by 1 desc limit 11)
select min(score) theta, (select max(impact) from a) amax, (select max(impact) from b) bmax from s;
