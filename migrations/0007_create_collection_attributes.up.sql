-- Filterable attributes: a collection declares which top-level document attributes take range filters,
-- and each gets a partial expression index on documents (built CONCURRENTLY by the application, named
-- idx_documents_attribute_<hash>). Range filters use the same typed extractors, so the planner matches
-- the index. Equality filters need no declaration: the GIN index on the document serves them.

-- The number in a JSON value, or NULL when it holds something else.
CREATE FUNCTION jsonb_number(value JSONB) RETURNS NUMERIC
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN jsonb_typeof(value) = 'number' THEN (value #>> '{}')::numeric END $$;

-- The string in a JSON value (ISO dates included), or NULL when it holds something else.
CREATE FUNCTION jsonb_text(value JSONB) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN jsonb_typeof(value) = 'string' THEN value #>> '{}' END $$;

CREATE TABLE collection_attributes (
    id            UUID        NOT NULL DEFAULT gen_random_uuid(),
    collection_id UUID        NOT NULL,
    name          TEXT        NOT NULL,
    kind          TEXT        NOT NULL,
    index_name    TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT collection_attributes_id_pkey PRIMARY KEY (id),
    CONSTRAINT collection_attributes_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    CONSTRAINT collection_attributes_collection_id_name_key UNIQUE (collection_id, name),
    CONSTRAINT collection_attributes_name_check CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'),
    CONSTRAINT collection_attributes_kind_check CHECK (kind IN ('number', 'text')),
    CONSTRAINT collection_attributes_index_name_check CHECK (index_name ~ '^idx_documents_attribute_[0-9a-f]{16}$')
);

CREATE TRIGGER trg_collection_attributes_updated_at
    BEFORE UPDATE ON collection_attributes
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
