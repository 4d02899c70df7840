-- Documents and their search vectors. The vector is rebuilt by a trigger whenever the document (or its
-- collection) is written, so a write is searchable as soon as it commits.

CREATE TABLE documents (
    id            UUID        NOT NULL DEFAULT gen_random_uuid(),
    collection_id UUID        NOT NULL,
    external_id   TEXT        NOT NULL,
    document      JSONB       NOT NULL,
    search_vector TSVECTOR    NOT NULL DEFAULT ''::tsvector,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at    TIMESTAMPTZ,
    CONSTRAINT documents_id_pkey PRIMARY KEY (id),
    CONSTRAINT documents_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    -- Its index leads with collection_id, so it also serves every lookup by collection.
    CONSTRAINT documents_collection_id_external_id_key UNIQUE (collection_id, external_id),
    CONSTRAINT documents_external_id_check CHECK (octet_length(external_id) BETWEEN 1 AND 512),
    CONSTRAINT documents_document_check CHECK (jsonb_typeof(document) = 'object')
);

-- Full-text index over live documents only: soft-deleted rows stop matching at once.
CREATE INDEX idx_documents_search_vector ON documents USING gin (search_vector) WHERE deleted_at IS NULL;

-- setweight(to_tsvector(<collection config>, <field>), <weight>) per searchable field, in field order.
-- A missing or null field contributes an empty vector, so every document gets a valid one.
CREATE FUNCTION documents_search_vector_refresh() RETURNS trigger
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
        -- The foreign key rejects the row with a clear error.
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

CREATE TRIGGER trg_documents_search_vector
    BEFORE INSERT OR UPDATE OF document, collection_id ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_search_vector_refresh();

CREATE TRIGGER trg_documents_updated_at
    BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
