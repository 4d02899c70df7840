CREATE OR REPLACE FUNCTION refresh_search_impacts(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT forget_packed_postings(target);
    SELECT refresh_search_impacts_unpacked(target);
$$;

CREATE OR REPLACE FUNCTION rebuild_search_statistics(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT forget_packed_postings(target);
    SELECT rebuild_search_statistics_unpacked(target);
$$;

DROP FUNCTION recount_collection_statistics(UUID);
ALTER FUNCTION recount_collection_statistics_unlocked(UUID) RENAME TO recount_collection_statistics;

-- 0008's definition, one SQL function.
CREATE OR REPLACE FUNCTION documents_statistics_apply(changes document_statistics_change[]) RETURNS void
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

DROP FUNCTION documents_postings_apply(document_statistics_change[]);
DROP FUNCTION documents_statistics_count(document_statistics_change[]);
DROP FUNCTION lock_reference_length(UUID);
DROP FUNCTION reference_length_lock_key(UUID);
