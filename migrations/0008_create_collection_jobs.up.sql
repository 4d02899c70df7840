-- Bulk import and online reindex (`loupe import`, `loupe reindex`):
--   collection_jobs                 one row per long job, with its checkpoint, so a run killed at any
--                                   point resumes from its last committed batch;
--   document_search_vectors()       the one place a document's vectors are computed (the trigger, the
--                                   reindex and the import's staging all call it);
--   loupe.bulk_collection           a transaction-local setting (SET LOCAL) naming one collection whose rows
--                                   this transaction publishes with precomputed vectors and whose statistics
--                                   it rebuilds once, with rebuild_search_statistics(), instead of per
--                                   statement. Other sessions and other collections are unaffected.

CREATE TABLE collection_jobs (
    id                   UUID        NOT NULL DEFAULT gen_random_uuid(),
    collection_id        UUID        NOT NULL,
    kind                 TEXT        NOT NULL,
    mode                 TEXT        NOT NULL,
    state                TEXT        NOT NULL DEFAULT 'running',
    -- What the job reads (files, sizes, options): a resumed job must read the same input.
    fingerprint          TEXT        NOT NULL,
    batch_size           INTEGER     NOT NULL,
    -- Every batch below next_batch is committed; done_batches holds those committed above it.
    next_batch           BIGINT      NOT NULL DEFAULT 0,
    done_batches         BIGINT[]    NOT NULL DEFAULT '{}',
    -- Reindex: the last external_id done (keyset position).
    position             TEXT,
    records_done         BIGINT      NOT NULL DEFAULT 0,
    documents_written    BIGINT      NOT NULL DEFAULT 0,
    problems             BIGINT      NOT NULL DEFAULT 0,
    -- Bulk import: the unlogged table rows are staged in, and how many it must hold.
    staging_table        TEXT,
    staged_rows          BIGINT      NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT collection_jobs_id_pkey PRIMARY KEY (id),
    CONSTRAINT collection_jobs_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    CONSTRAINT collection_jobs_kind_check CHECK (kind IN ('import', 'reindex')),
    CONSTRAINT collection_jobs_mode_check CHECK (mode IN ('bulk', 'incremental', 'online')),
    CONSTRAINT collection_jobs_state_check CHECK (state IN ('running', 'completed', 'abandoned')),
    CONSTRAINT collection_jobs_batch_size_check CHECK (batch_size BETWEEN 1 AND 100000),
    CONSTRAINT collection_jobs_staging_table_check CHECK (staging_table ~ '^import_staging_[0-9a-f]{32}$')
);

CREATE INDEX idx_collection_jobs_collection_id_kind ON collection_jobs (collection_id, kind) WHERE state = 'running';

CREATE TRIGGER trg_collection_jobs_updated_at
    BEFORE UPDATE ON collection_jobs
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- A document's vectors under its collection's current settings; NULLs when the collection does not exist.
CREATE FUNCTION document_search_vectors(
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

CREATE OR REPLACE FUNCTION documents_search_vector_refresh() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    computed record;
BEGIN
    -- A bulk import publishing rows whose vectors it computed with document_search_vectors() keeps them.
    IF current_setting('loupe.bulk_collection', true) = NEW.collection_id::text THEN
        RETURN NEW;
    END IF;
    SELECT * INTO computed FROM document_search_vectors(NEW.collection_id, NEW.document);
    IF computed.search_vector IS NULL THEN
        -- No such collection: the foreign key rejects the row with a clear error.
        RETURN NEW;
    END IF;
    NEW.search_vector := computed.search_vector;
    NEW.stop_vector := computed.stop_vector;
    NEW.class_lengths := computed.class_lengths;
    RETURN NEW;
END;
$$;

-- As in 0005, except that a change moving positions between weight classes (a reindex after a weight
-- change: same count, same total length) still updates the collection's class lengths.
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

-- As in 0005, except that rows of the collection named by loupe.bulk_collection are left to
-- rebuild_search_statistics().
CREATE OR REPLACE FUNCTION documents_statistics_refresh() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    deferred UUID := nullif(current_setting('loupe.bulk_collection', true), '')::uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM documents_statistics_apply(ARRAY(
            SELECT ROW(n.collection_id, n.id, 1, n.search_vector, n.class_lengths)::document_statistics_change
            FROM new_rows n WHERE n.deleted_at IS NULL AND n.collection_id IS DISTINCT FROM deferred));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM documents_statistics_apply(ARRAY(
            SELECT ROW(n.collection_id, n.id, 1, n.search_vector, n.class_lengths)::document_statistics_change
            FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
            WHERE n.deleted_at IS NULL AND n.collection_id IS DISTINCT FROM deferred
              AND (o.id IS NULL OR o.deleted_at IS NOT NULL OR o.search_vector <> n.search_vector OR o.collection_id <> n.collection_id)
            UNION ALL
            SELECT ROW(o.collection_id, o.id, -1, o.search_vector, o.class_lengths)::document_statistics_change
            FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
            WHERE o.deleted_at IS NULL AND o.collection_id IS DISTINCT FROM deferred
              AND (n.id IS NULL OR n.deleted_at IS NOT NULL OR o.search_vector <> n.search_vector OR o.collection_id <> n.collection_id)));
    ELSE
        PERFORM documents_statistics_apply(ARRAY(
            SELECT ROW(o.collection_id, o.id, -1, o.search_vector, o.class_lengths)::document_statistics_change
            FROM old_rows o WHERE o.deleted_at IS NULL AND o.collection_id IS DISTINCT FROM deferred));
    END IF;
    RETURN NULL;
END;
$$;

-- Recomputes a collection's statistics, document frequencies, reference length and impacts from its live
-- documents in one pass: what a bulk load does once instead of per statement. Postings are written in key
-- order, so their indexes fill page by page.
CREATE FUNCTION rebuild_search_statistics(target UUID) RETURNS void
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
