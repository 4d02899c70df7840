DROP FUNCTION rebuild_search_statistics(UUID);

-- The statistics function as migration 0005 created it.
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
    HAVING sum(c.sign) <> 0 OR sum(c.sign * (c.class_lengths[1] + c.class_lengths[2] + c.class_lengths[3] + c.class_lengths[4])) <> 0
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

-- The statistics trigger as migration 0005 created it.
CREATE OR REPLACE FUNCTION documents_statistics_refresh() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM documents_statistics_apply(ARRAY(
            SELECT ROW(n.collection_id, n.id, 1, n.search_vector, n.class_lengths)::document_statistics_change
            FROM new_rows n WHERE n.deleted_at IS NULL));
    ELSIF TG_OP = 'UPDATE' THEN
        -- Rows whose liveness and vector did not change (say, only updated_at moved) contribute nothing.
        PERFORM documents_statistics_apply(ARRAY(
            SELECT ROW(n.collection_id, n.id, 1, n.search_vector, n.class_lengths)::document_statistics_change
            FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
            WHERE n.deleted_at IS NULL
              AND (o.id IS NULL OR o.deleted_at IS NOT NULL OR o.search_vector <> n.search_vector OR o.collection_id <> n.collection_id)
            UNION ALL
            SELECT ROW(o.collection_id, o.id, -1, o.search_vector, o.class_lengths)::document_statistics_change
            FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
            WHERE o.deleted_at IS NULL
              AND (n.id IS NULL OR n.deleted_at IS NOT NULL OR o.search_vector <> n.search_vector OR o.collection_id <> n.collection_id)));
    ELSE
        PERFORM documents_statistics_apply(ARRAY(
            SELECT ROW(o.collection_id, o.id, -1, o.search_vector, o.class_lengths)::document_statistics_change
            FROM old_rows o WHERE o.deleted_at IS NULL));
    END IF;
    RETURN NULL;
END;
$$;

-- The vector trigger as migration 0006 left it.
CREATE OR REPLACE FUNCTION documents_search_vector_refresh() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    config   regconfig;
    field    record;
    body     text;
    analysed tsvector;
    vector   tsvector := ''::tsvector;
    stops    tsvector := ''::tsvector;
BEGIN
    SELECT c.text_search_config INTO config FROM collections c WHERE c.id = NEW.collection_id;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    FOR field IN
        SELECT f.name, f.weight FROM collection_fields f
        WHERE f.collection_id = NEW.collection_id
        ORDER BY f.position
    LOOP
        body := coalesce(NEW.document ->> field.name, '');
        analysed := to_tsvector(config, body);
        vector := vector || setweight(analysed, field.weight);
        stops := stops || setweight(tsvector_stop_words(body, analysed), field.weight);
    END LOOP;
    NEW.search_vector := vector;
    NEW.stop_vector := stops;
    NEW.class_lengths := tsvector_class_lengths(vector);
    RETURN NEW;
END;
$$;

DROP FUNCTION document_search_vectors(UUID, JSONB);
DROP TABLE collection_jobs;
