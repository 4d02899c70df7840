-- RUM (postgresql-15-rum 1.3.13) against plain ORDER BY ts_rank on the scale corpus's queries with over
-- 50,000 matches. Needs the index this file does not build (it takes minutes, and is dropped afterwards):
--   CREATE EXTENSION rum;
--   CREATE INDEX scratch_rum_search_vector ON bench_scale.documents USING rum (search_vector rum_tsvector_ops)
--       WHERE deleted_at IS NULL;
-- psql "$(.build/release/loupe db url)" -f bench/results/rum/rum.sql
-- The tsquery is BenchScale's: websearch_to_tsquery, its terms OR-ed for unions. Each statement runs once to
-- warm up, then five times; the median is reported, timed on the server with clock_timestamp().
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE workload (query text, kind text, matches int);
INSERT INTO workload VALUES
    ('webster use', 'union', 150310),
    ('1913', 'term', 113214),
    ('webster', 'term', 113189),
    ('webster 1913', 'intersection', 113182),
    ('n', 'term', 79383),
    ('see use', 'union', 75403),
    ('1913 n', 'intersection', 71625),
    ('webster n', 'intersection', 71622),
    ('see package', 'union', 70308),
    ('use package', 'union', 67282),
    ('one use', 'union', 65720),
    ('provide use', 'union', 61628),
    ('contain use', 'union', 60900),
    ('library use', 'union', 60538),
    ('see provide', 'union', 57914),
    ('a search engine is an information retrieval software system designed to help find information stored on one or more computer systems', 'union', 57109),
    ('one see', 'union', 54408);
CREATE TEMP TABLE timing (query text, method text, run int, ms float8, ids text[]);
DO $$
DECLARE
    w record; q tsquery; started timestamptz; found text[]; method text; statement text;
BEGIN
    FOR w IN SELECT * FROM workload LOOP
        IF w.kind = 'union' THEN
            q := replace(websearch_to_tsquery('english', w.query)::text, ' & ', ' | ')::tsquery;
        ELSE
            q := websearch_to_tsquery('english', w.query);
        END IF;
        FOREACH method IN ARRAY ARRAY['plain ts_rank', 'rum <=>'] LOOP
            IF method = 'plain ts_rank' THEN
                statement := 'SELECT array_agg(id::text) FROM (SELECT d.id FROM bench_scale.documents d
                    WHERE d.deleted_at IS NULL AND d.search_vector @@ $1
                    ORDER BY ts_rank(d.search_vector, $1) DESC LIMIT 10) s';
            ELSE
                statement := 'SELECT array_agg(id::text) FROM (SELECT d.id FROM bench_scale.documents d
                    WHERE d.deleted_at IS NULL AND d.search_vector @@ $1
                    ORDER BY d.search_vector <=> $1 LIMIT 10) s';
            END IF;
            FOR run IN 0..5 LOOP
                started := clock_timestamp();
                EXECUTE statement INTO found USING q;
                IF run > 0 THEN
                    INSERT INTO timing VALUES (w.query, method, run,
                        extract(epoch FROM clock_timestamp() - started) * 1000, found);
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
END $$;
SELECT left(w.query, 40) AS query, w.kind, w.matches,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.method = 'plain ts_rank')::numeric, 1) AS plain_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) FILTER (WHERE t.method = 'rum <=>')::numeric, 1) AS rum_ms,
       (SELECT count(*) FROM unnest((SELECT ids FROM timing WHERE query = w.query AND method = 'rum <=>' LIMIT 1)) AS r(id)
        WHERE r.id = ANY ((SELECT ids FROM timing WHERE query = w.query AND method = 'plain ts_rank' LIMIT 1)::text[])) AS same_top10
FROM workload w JOIN timing t ON t.query = w.query
GROUP BY w.query, w.kind, w.matches ORDER BY w.matches DESC;
EXPLAIN (ANALYZE, BUFFERS) SELECT d.id FROM bench_scale.documents d
    WHERE d.deleted_at IS NULL AND d.search_vector @@ websearch_to_tsquery('english', 'webster n')
    ORDER BY d.search_vector <=> websearch_to_tsquery('english', 'webster n') LIMIT 10;
