-- Collections: a named set of documents with its own text search configuration, searchable fields
-- (each with a weight A-D) and BM25 parameters.

CREATE FUNCTION update_updated_at_column() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE collections (
    id                 UUID             NOT NULL DEFAULT gen_random_uuid(),
    name               TEXT             NOT NULL,
    text_search_config REGCONFIG        NOT NULL DEFAULT 'pg_catalog.english',
    bm25_k1            DOUBLE PRECISION NOT NULL DEFAULT 0.9,
    bm25_b             DOUBLE PRECISION NOT NULL DEFAULT 0.4,
    created_at         TIMESTAMPTZ      NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ      NOT NULL DEFAULT now(),
    deleted_at         TIMESTAMPTZ,
    CONSTRAINT collections_id_pkey PRIMARY KEY (id),
    CONSTRAINT collections_name_check CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    CONSTRAINT collections_bm25_k1_check CHECK (bm25_k1 >= 0 AND bm25_k1 <= 10),
    CONSTRAINT collections_bm25_b_check CHECK (bm25_b >= 0 AND bm25_b <= 1)
);

-- A name is unique among live collections; a soft-deleted collection frees its name.
CREATE UNIQUE INDEX idx_collections_name ON collections (name) WHERE deleted_at IS NULL;

CREATE TRIGGER trg_collections_updated_at
    BEFORE UPDATE ON collections
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- The searchable fields of a collection, in the order their text is concatenated into the vector.
CREATE TABLE collection_fields (
    id            UUID        NOT NULL DEFAULT gen_random_uuid(),
    collection_id UUID        NOT NULL,
    name          TEXT        NOT NULL,
    weight        "char"      NOT NULL DEFAULT 'D',
    position      INTEGER     NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT collection_fields_id_pkey PRIMARY KEY (id),
    CONSTRAINT collection_fields_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    CONSTRAINT collection_fields_collection_id_name_key UNIQUE (collection_id, name),
    CONSTRAINT collection_fields_name_check CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'),
    CONSTRAINT collection_fields_weight_check CHECK (weight IN ('A', 'B', 'C', 'D')),
    CONSTRAINT collection_fields_position_check CHECK (position >= 0)
);

CREATE TRIGGER trg_collection_fields_updated_at
    BEFORE UPDATE ON collection_fields
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
