DROP INDEX idx_documents_stop_vector;

-- The vector trigger as migration 0005 left it.
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

DROP FUNCTION tsvector_stop_words(TEXT, tsvector);
ALTER TABLE documents DROP COLUMN stop_vector;
