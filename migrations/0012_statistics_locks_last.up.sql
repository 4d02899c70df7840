-- Writers of one collection overlap (issue 6, reindex throughput): the statistics trigger takes its row locks
-- after the postings rewrite, the bulk of its work, instead of before it.
--
-- Until now documents_statistics_apply() began with the upserts of the collection's collection_statistics row
-- and its lexemes' term_statistics rows and held those locks through the postings delete and insert, so a
-- second writer of the collection waited for the first one's whole trigger and commit
-- (bench/results/import-levers: two halves of a rewrite overlapped 1.24x; 1.63x with the upserts last).
--
-- The postings insert reads the collection's reference length, which must not change between that read and
-- commit (impacts computed with an old one would be stale). So every reader and changer of it takes a
-- transaction-level advisory lock of the collection (reference_length_lock_key):
--   writers        shared, for each collection they write, in collection order, then read the reference lengths.
--                  When every one is set, they rewrite postings first and upsert the statistics last; otherwise
--                  (a collection's first write fixes its length) they keep the old order, upserts first. Shared
--                  locks do not block each other; the upserts serialise writers on the statistics row as before,
--                  but only for their tail;
--   length changes (ImpactRefresh, recount_collection_statistics, so rebuild_search_statistics, and
--                  refresh_search_impacts) exclusive (lock_reference_length): it waits for the writers that read
--                  the old length, and writers after it read the new one. Changers take it before the packs'
--                  advisory lock, in that one order.
-- Not a row lock: FOR KEY SHARE is granted past a queued FOR UPDATE, so a stream of overlapping writers could hold
-- off a length change for ever; the lock manager queues a shared request behind a waiting exclusive one.

-- The advisory lock (two int4 keys) that guards a collection's reference length.
CREATE FUNCTION reference_length_lock_key(target UUID) RETURNS INTEGER[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ARRAY[hashtext('loupe.reference_length'), hashtext(target::text)]
$$;

-- Takes the collection's reference-length lock exclusively, until commit: the one way to change the length.
CREATE FUNCTION lock_reference_length(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT pg_advisory_xact_lock(k[1], k[2]) FROM reference_length_lock_key(target) AS k;
$$;

-- The document counts, class lengths and document frequencies of a change, and the reference length of a
-- collection's first write: the first three statements of 0008's documents_statistics_apply(), unchanged.
CREATE FUNCTION documents_statistics_count(changes document_statistics_change[]) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    INSERT INTO collection_statistics AS s (collection_id, document_count, class_lengths)
    SELECT c.collection_id, sum(c.sign),
           ARRAY[sum(c.sign * c.class_lengths[1]), sum(c.sign * c.class_lengths[2]),
                 sum(c.sign * c.class_lengths[3]), sum(c.sign * c.class_lengths[4])]::bigint[]
    FROM unnest(changes) AS c
    WHERE EXISTS (SELECT 1 FROM collections WHERE collections.id = c.collection_id)
    GROUP BY c.collection_id
    HAVING sum(c.sign) <> 0 OR sum(c.sign * c.class_lengths[1]) <> 0 OR sum(c.sign * c.class_lengths[2]) <> 0
        OR sum(c.sign * c.class_lengths[3]) <> 0 OR sum(c.sign * c.class_lengths[4]) <> 0
    ORDER BY c.collection_id
    ON CONFLICT (collection_id) DO UPDATE SET
        document_count = s.document_count + EXCLUDED.document_count,
        class_lengths = ARRAY[s.class_lengths[1] + EXCLUDED.class_lengths[1], s.class_lengths[2] + EXCLUDED.class_lengths[2],
                              s.class_lengths[3] + EXCLUDED.class_lengths[3], s.class_lengths[4] + EXCLUDED.class_lengths[4]];

    INSERT INTO term_statistics AS t (collection_id, lexeme, document_frequency)
    SELECT c.collection_id, l.lexeme, sum(c.sign)
    FROM unnest(changes) AS c, unnest(tsvector_to_array(c.search_vector)) AS l(lexeme)
    WHERE EXISTS (SELECT 1 FROM collections WHERE collections.id = c.collection_id)
    GROUP BY c.collection_id, l.lexeme
    HAVING sum(c.sign) <> 0
    ORDER BY c.collection_id, l.lexeme
    ON CONFLICT (collection_id, lexeme) DO UPDATE SET
        document_frequency = t.document_frequency + EXCLUDED.document_frequency;

    -- The first write fixes the reference length that impacts are computed with.
    UPDATE collection_statistics AS s
    SET reference_length = (c.bm25_class_weights[1] * s.class_lengths[1] + c.bm25_class_weights[2] * s.class_lengths[2]
                          + c.bm25_class_weights[3] * s.class_lengths[3] + c.bm25_class_weights[4] * s.class_lengths[4])
                         / s.document_count
    FROM collections AS c
    WHERE c.id = s.collection_id AND s.reference_length = 0 AND s.document_count > 0
      AND s.collection_id IN (SELECT collection_id FROM unnest(changes));
$$;

-- The postings of a change: the last two statements of 0008's documents_statistics_apply(), unchanged.
CREATE FUNCTION documents_postings_apply(changes document_statistics_change[]) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    DELETE FROM postings AS p
    USING unnest(changes) AS c
    WHERE c.sign < 0 AND p.collection_id = c.collection_id
      AND p.lexeme = ANY (tsvector_to_array(c.search_vector)) AND p.document_id = c.document_id;

    INSERT INTO postings (collection_id, lexeme, document_id, impact)
    SELECT c.collection_id, dp.lexeme, c.document_id, dp.impact
    FROM unnest(changes) AS c
    JOIN collections AS k ON k.id = c.collection_id
    JOIN collection_statistics AS s ON s.collection_id = c.collection_id
    CROSS JOIN LATERAL document_postings(c.search_vector, c.class_lengths, k.bm25_class_weights,
                                         k.bm25_k1, k.bm25_b, s.reference_length) AS dp
    WHERE c.sign > 0
    ORDER BY 1, 2, 3;
$$;

CREATE OR REPLACE FUNCTION documents_statistics_apply(changes document_statistics_change[]) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    touched UUID[] := ARRAY(SELECT DISTINCT c.collection_id FROM unnest(changes) AS c ORDER BY 1);
    target  UUID;
    settled INTEGER;
BEGIN
    FOREACH target IN ARRAY touched LOOP
        PERFORM pg_advisory_xact_lock_shared(k[1], k[2]) FROM reference_length_lock_key(target) AS k;
    END LOOP;
    SELECT count(*) INTO settled
    FROM collection_statistics AS s
    WHERE s.collection_id = ANY (touched) AND s.reference_length > 0;
    IF settled = cardinality(touched) THEN
        -- Every reference length is set, and held: the postings first, the row locks last.
        PERFORM documents_postings_apply(changes);
        PERFORM documents_statistics_count(changes);
    ELSE
        PERFORM documents_statistics_count(changes);
        PERFORM documents_postings_apply(changes);
    END IF;
END;
$$;

-- Length changes take lock_reference_length first, then the packs' advisory lock.
ALTER FUNCTION recount_collection_statistics(UUID) RENAME TO recount_collection_statistics_unlocked;

CREATE FUNCTION recount_collection_statistics(target UUID) RETURNS BIGINT
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT lock_reference_length(target);
    SELECT recount_collection_statistics_unlocked(target);
$$;

CREATE OR REPLACE FUNCTION rebuild_search_statistics(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT lock_reference_length(target);
    SELECT forget_packed_postings(target);
    SELECT rebuild_search_statistics_unpacked(target);
$$;

CREATE OR REPLACE FUNCTION refresh_search_impacts(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT lock_reference_length(target);
    SELECT forget_packed_postings(target);
    SELECT refresh_search_impacts_unpacked(target);
$$;
