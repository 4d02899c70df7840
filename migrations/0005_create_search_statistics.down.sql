DROP TRIGGER trg_documents_statistics_insert ON documents;
DROP TRIGGER trg_documents_statistics_update ON documents;
DROP TRIGGER trg_documents_statistics_delete ON documents;
DROP FUNCTION documents_statistics_refresh();
DROP FUNCTION documents_statistics_apply(document_statistics_change[]);
DROP TYPE document_statistics_change;
DROP FUNCTION refresh_search_impacts(UUID);
DROP FUNCTION document_postings(tsvector, INTEGER[], DOUBLE PRECISION[], DOUBLE PRECISION, DOUBLE PRECISION, DOUBLE PRECISION);
DROP TABLE postings;
DROP TABLE term_statistics;
DROP TABLE collection_statistics;

-- The vector trigger as migration 0002 created it.
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
    RETURN NEW;
END;
$$;

DROP FUNCTION tsvector_class_lengths(tsvector);
ALTER TABLE documents DROP COLUMN class_lengths;
ALTER TABLE collections DROP CONSTRAINT collections_bm25_class_weights_check, DROP COLUMN bm25_class_weights;
