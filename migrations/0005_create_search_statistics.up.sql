-- Corpus statistics for BM25, kept current by the writes themselves:
--   documents.class_lengths      positions per weight class (A, B, C, D) of each document's vector;
--   collection_statistics        live document count and summed class lengths per collection;
--   term_statistics              live document frequency per lexeme per collection;
--   collections.bm25_class_weights  how much a match in class A, B, C, D counts (BM25F-style);
--   postings                     per live document and lexeme, its BM25 impact (the term-frequency part of
--                                the score), so ranking sums stored numbers instead of re-reading vectors.
-- Impacts use the collection's reference average length (collection_statistics.reference_length), set
-- from the live average on the first write and by refresh_search_impacts(); BM25 scores use the same value.
-- Statement-level triggers with transition tables aggregate a whole statement's changes into one
-- upsert per touched row, taken in key order so concurrent writers do not deadlock.

ALTER TABLE collections
    ADD COLUMN bm25_class_weights DOUBLE PRECISION[] NOT NULL DEFAULT '{1, 1, 1, 1}',
    ADD CONSTRAINT collections_bm25_class_weights_check
        CHECK (cardinality(bm25_class_weights) = 4 AND 0 <= ALL (bm25_class_weights) AND 100 >= ALL (bm25_class_weights));

ALTER TABLE documents ADD COLUMN class_lengths INTEGER[] NOT NULL DEFAULT '{0, 0, 0, 0}';

CREATE TABLE collection_statistics (
    id             UUID        NOT NULL DEFAULT gen_random_uuid(),
    collection_id  UUID        NOT NULL,
    document_count BIGINT      NOT NULL DEFAULT 0,
    class_lengths  BIGINT[]    NOT NULL DEFAULT '{0, 0, 0, 0}',
    reference_length DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT collection_statistics_id_pkey PRIMARY KEY (id),
    CONSTRAINT collection_statistics_collection_id_key UNIQUE (collection_id),
    CONSTRAINT collection_statistics_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE
);

CREATE TRIGGER trg_collection_statistics_updated_at
    BEFORE UPDATE ON collection_statistics
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- A hot counter table with one row per distinct lexeme: keyed by (collection, lexeme) and without
-- per-row timestamps, deliberately, because every write statement touches many of its rows.
CREATE TABLE term_statistics (
    collection_id      UUID   NOT NULL,
    lexeme             TEXT   NOT NULL,
    document_frequency BIGINT NOT NULL,
    CONSTRAINT term_statistics_collection_id_lexeme_pkey PRIMARY KEY (collection_id, lexeme),
    CONSTRAINT term_statistics_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE
);

-- Prefix queries expand against the collection's vocabulary.
CREATE INDEX idx_term_statistics_collection_id_lexeme_pattern
    ON term_statistics (collection_id, lexeme text_pattern_ops);

-- Per live document and lexeme: the BM25 impact tf*(k1+1) / (tf + k1*(1 - b + b*length/reference_length)),
-- with tf and length weighted by class (A counts class_weights[1], ...). A score is sum(idf * impact).
CREATE TABLE postings (
    collection_id UUID             NOT NULL,
    lexeme        TEXT             NOT NULL,
    document_id   UUID             NOT NULL,
    impact        DOUBLE PRECISION NOT NULL,
    -- Covering: scoring a known candidate is an index-only lookup on the full key.
    CONSTRAINT postings_collection_id_lexeme_document_id_pkey PRIMARY KEY (collection_id, lexeme, document_id) INCLUDE (impact),
    CONSTRAINT postings_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE
);

-- Impact-ordered lists: the best documents for a lexeme come first, so top-k can stop early.
CREATE INDEX idx_postings_collection_id_lexeme_impact
    ON postings (collection_id, lexeme, impact DESC) INCLUDE (document_id);

CREATE FUNCTION document_postings(
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

-- The vector trigger now also records how many positions each weight class holds.
CREATE OR REPLACE FUNCTION documents_search_vector_refresh() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    config regconfig;
    field  record;
    vector tsvector := ''::tsvector;
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
        vector := vector || setweight(to_tsvector(config, coalesce(NEW.document ->> field.name, '')), field.weight);
    END LOOP;
    NEW.search_vector := vector;
    NEW.class_lengths := tsvector_class_lengths(vector);
    RETURN NEW;
END;
$$;

CREATE FUNCTION tsvector_class_lengths(vector tsvector) RETURNS INTEGER[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ARRAY[
        count(*) FILTER (WHERE w = 'A'), count(*) FILTER (WHERE w = 'B'),
        count(*) FILTER (WHERE w = 'C'), count(*) FILTER (WHERE w = 'D')
    ]::integer[]
    FROM unnest(vector) AS u, unnest(u.weights) AS w
$$;

CREATE TYPE document_statistics_change AS (
    collection_id UUID,
    document_id   UUID,
    sign          INTEGER,
    search_vector TSVECTOR,
    class_lengths INTEGER[]
);

-- Applies +1/-1 contributions of documents entering or leaving the live set.
CREATE FUNCTION documents_statistics_apply(changes document_statistics_change[]) RETURNS void
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

-- Recomputes a collection's impacts with its current average length (after a bulk load, a change of
-- k1, b or class weights, or when the average has drifted).
CREATE FUNCTION refresh_search_impacts(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    UPDATE collection_statistics AS s
    SET reference_length = CASE WHEN s.document_count = 0 THEN 0 ELSE
        (c.bm25_class_weights[1] * s.class_lengths[1] + c.bm25_class_weights[2] * s.class_lengths[2]
       + c.bm25_class_weights[3] * s.class_lengths[3] + c.bm25_class_weights[4] * s.class_lengths[4]) / s.document_count END
    FROM collections AS c
    WHERE c.id = s.collection_id AND s.collection_id = target;

    DELETE FROM postings WHERE collection_id = target;

    INSERT INTO postings (collection_id, lexeme, document_id, impact)
    SELECT d.collection_id, dp.lexeme, d.id, dp.impact
    FROM documents AS d
    JOIN collections AS k ON k.id = d.collection_id
    JOIN collection_statistics AS s ON s.collection_id = d.collection_id
    CROSS JOIN LATERAL document_postings(d.search_vector, d.class_lengths, k.bm25_class_weights,
                                         k.bm25_k1, k.bm25_b, s.reference_length) AS dp
    WHERE d.collection_id = target AND d.deleted_at IS NULL;
$$;

-- One function for all three triggers: plpgsql resolves new_rows/old_rows only in the branch that runs.
CREATE FUNCTION documents_statistics_refresh() RETURNS trigger
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

CREATE TRIGGER trg_documents_statistics_insert
    AFTER INSERT ON documents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION documents_statistics_refresh();
CREATE TRIGGER trg_documents_statistics_update
    AFTER UPDATE ON documents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION documents_statistics_refresh();
CREATE TRIGGER trg_documents_statistics_delete
    AFTER DELETE ON documents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION documents_statistics_refresh();

-- Bring rows written before this migration up to date.
UPDATE documents SET class_lengths = tsvector_class_lengths(search_vector);
INSERT INTO collection_statistics (collection_id) SELECT id FROM collections;
SELECT documents_statistics_apply(ARRAY(
    SELECT ROW(d.collection_id, d.id, 1, d.search_vector, d.class_lengths)::document_statistics_change
    FROM documents d WHERE d.deleted_at IS NULL));
