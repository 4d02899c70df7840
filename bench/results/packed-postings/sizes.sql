-- Sizes of the packed postings of the scale corpus beside the postings rows they are built from.
-- Run: psql "$(.build/release/loupe db url)" -f bench/results/packed-postings/sizes.sql > bench/results/packed-postings/sizes.out
SET search_path = bench_scale;
VACUUM ANALYZE packed_postings, packed_documents;
SELECT count(*) AS packed_lexemes, sum(posting_count) AS packed_postings,
       sum(octet_length(postings)) AS packed_bytes,
       round(sum(octet_length(postings))::numeric / sum(posting_count), 2) AS bytes_per_posting
FROM packed_postings;
SELECT count(*) AS postings_rows FROM postings;
SELECT relname AS relation, pg_size_pretty(pg_total_relation_size(oid)) AS total_with_indexes_and_toast
FROM pg_class WHERE relnamespace = 'bench_scale'::regnamespace
  AND relname IN ('postings', 'packed_postings', 'packed_documents', 'postings_changes', 'documents')
ORDER BY relname;
-- The lists of the queries measured most: posting counts and bytes.
SELECT lexeme, posting_count, octet_length(postings) AS bytes,
       round(octet_length(postings)::numeric / posting_count, 2) AS bytes_per_posting
FROM packed_postings WHERE lexeme IN ('1913', 'webster', 'n', 'use', 'packag', 'see', 'system', 'one')
ORDER BY posting_count DESC;
