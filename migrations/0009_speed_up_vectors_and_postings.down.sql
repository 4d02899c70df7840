-- rebuild_search_statistics() as migration 0008 created it.
CREATE OR REPLACE FUNCTION rebuild_search_statistics(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    INSERT INTO collection_statistics AS s (collection_id, document_count, class_lengths, reference_length)
    SELECT target, count(*),
           ARRAY[coalesce(sum(d.class_lengths[1]), 0), coalesce(sum(d.class_lengths[2]), 0),
                 coalesce(sum(d.class_lengths[3]), 0), coalesce(sum(d.class_lengths[4]), 0)]::bigint[],
           0
    FROM documents d WHERE d.collection_id = target AND d.deleted_at IS NULL
    ON CONFLICT (collection_id) DO UPDATE SET
        document_count = EXCLUDED.document_count, class_lengths = EXCLUDED.class_lengths;

    UPDATE collection_statistics AS s
    SET reference_length = CASE WHEN s.document_count = 0 THEN 0 ELSE
        (c.bm25_class_weights[1] * s.class_lengths[1] + c.bm25_class_weights[2] * s.class_lengths[2]
       + c.bm25_class_weights[3] * s.class_lengths[3] + c.bm25_class_weights[4] * s.class_lengths[4]) / s.document_count END
    FROM collections AS c
    WHERE c.id = s.collection_id AND s.collection_id = target;

    DELETE FROM term_statistics WHERE collection_id = target;
    INSERT INTO term_statistics (collection_id, lexeme, document_frequency)
    SELECT target, l.lexeme, count(*)
    FROM documents d, unnest(tsvector_to_array(d.search_vector)) AS l(lexeme)
    WHERE d.collection_id = target AND d.deleted_at IS NULL
    GROUP BY l.lexeme
    ORDER BY l.lexeme;

    DELETE FROM postings WHERE collection_id = target;
    INSERT INTO postings (collection_id, lexeme, document_id, impact)
    SELECT d.collection_id, dp.lexeme, d.id, dp.impact
    FROM documents AS d
    JOIN collections AS k ON k.id = d.collection_id
    JOIN collection_statistics AS s ON s.collection_id = d.collection_id
    CROSS JOIN LATERAL document_postings(d.search_vector, d.class_lengths, k.bm25_class_weights,
                                         k.bm25_k1, k.bm25_b, s.reference_length) AS dp
    WHERE d.collection_id = target AND d.deleted_at IS NULL
    ORDER BY dp.lexeme, d.id;
$$;
DROP FUNCTION recount_collection_statistics(UUID);
DROP FUNCTION text_sorts_byte_wise();

-- document_postings() as migration 0005 created it.
CREATE OR REPLACE FUNCTION document_postings(
    vector tsvector, class_lengths INTEGER[], class_weights DOUBLE PRECISION[],
    k1 DOUBLE PRECISION, b DOUBLE PRECISION, reference_length DOUBLE PRECISION
) RETURNS TABLE (lexeme TEXT, impact DOUBLE PRECISION)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT u.lexeme,
           f.tf * (k1 + 1) / (f.tf + k1 * (1 - b + b * (class_weights[1] * class_lengths[1] + class_weights[2] * class_lengths[2]
                                                      + class_weights[3] * class_lengths[3] + class_weights[4] * class_lengths[4])
                                                  / greatest(reference_length, 1e-9)))
    FROM unnest(vector) AS u
    CROSS JOIN LATERAL (
        SELECT sum(CASE w WHEN 'A' THEN class_weights[1] WHEN 'B' THEN class_weights[2]
                          WHEN 'C' THEN class_weights[3] ELSE class_weights[4] END) AS tf
        FROM unnest(u.weights) AS w
    ) AS f
    WHERE f.tf > 0
$$;
DROP FUNCTION bm25_impact(DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION);
DROP FUNCTION document_weighted_length(INTEGER[], DOUBLE PRECISION[]);
DROP FUNCTION document_term_frequencies(tsvector, DOUBLE PRECISION[]);


DROP TRIGGER trg_collections_postings_key ON collections;
DROP FUNCTION collections_postings_key_check();
DROP TRIGGER trg_collections_postings_truncate ON collections;
DROP TRIGGER trg_collections_postings_delete ON collections;
DROP FUNCTION collections_postings_cascade();
DROP TRIGGER trg_postings_collection_update ON postings;
DROP TRIGGER trg_postings_collection_insert ON postings;
DROP FUNCTION postings_collection_check();
ALTER TABLE postings ADD CONSTRAINT postings_collection_id_fkey
    FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE;

-- The vector trigger as migration 0002 created it.
DROP TRIGGER trg_documents_search_vector ON documents;
CREATE TRIGGER trg_documents_search_vector
    BEFORE INSERT OR UPDATE OF document, collection_id ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_search_vector_refresh();

-- document_search_vectors() as migration 0008 created it.
CREATE OR REPLACE FUNCTION document_search_vectors(
    target UUID, body JSONB,
    OUT search_vector TSVECTOR, OUT stop_vector TSVECTOR, OUT class_lengths INTEGER[]
)
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
AS $$
DECLARE
    config   regconfig;
    field    record;
    field_text text;
    analysed tsvector;
BEGIN
    SELECT c.text_search_config INTO config FROM collections c WHERE c.id = target;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    search_vector := ''::tsvector;
    stop_vector := ''::tsvector;
    FOR field IN
        SELECT f.name, f.weight FROM collection_fields f WHERE f.collection_id = target ORDER BY f.position
    LOOP
        field_text := coalesce(body ->> field.name, '');
        analysed := to_tsvector(config, field_text);
        search_vector := search_vector || setweight(analysed, field.weight);
        stop_vector := stop_vector || setweight(tsvector_stop_words(field_text, analysed), field.weight);
    END LOOP;
    class_lengths := tsvector_class_lengths(search_vector);
END;
$$;

DROP FUNCTION analysed_document(regconfig, regconfig, TEXT[], "char"[], JSONB);
DROP FUNCTION collection_analysis(UUID);
DROP AGGREGATE tsvector_concat_agg(tsvector);
DROP FUNCTION stop_word_vector(TEXT, tsvector, regconfig);

-- The stop-word twins, found in this schema by the names 0009 gave them.
DO $$
DECLARE
    name TEXT;
BEGIN
    FOR name IN
        SELECT c.cfgname FROM pg_ts_config AS c
        WHERE c.cfgnamespace = current_schema()::regnamespace AND c.cfgname LIKE '%\_without\_stop\_words'
    LOOP
        EXECUTE format('DROP TEXT SEARCH CONFIGURATION %I', name);
    END LOOP;
    FOR name IN
        SELECT d.dictname FROM pg_ts_dict AS d
        WHERE d.dictnamespace = current_schema()::regnamespace AND d.dictname LIKE '%\_stop\_words'
    LOOP
        EXECUTE format('DROP TEXT SEARCH DICTIONARY %I', name);
    END LOOP;
END;
$$;
