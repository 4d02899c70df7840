-- API keys. Only the SHA-256 hash of a key is stored, never the key; key_prefix is a short,
-- non-secret label for listing keys.

CREATE TABLE api_keys (
    id            UUID        NOT NULL DEFAULT gen_random_uuid(),
    name          TEXT        NOT NULL,
    key_hash      BYTEA       NOT NULL,
    key_prefix    TEXT        NOT NULL,
    scopes        TEXT[]      NOT NULL,
    collection_id UUID,
    expires_at    TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at    TIMESTAMPTZ,
    CONSTRAINT api_keys_id_pkey PRIMARY KEY (id),
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    CONSTRAINT api_keys_key_hash_check CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_keys_key_prefix_check CHECK (length(key_prefix) BETWEEN 4 AND 16),
    CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 200),
    CONSTRAINT api_keys_scopes_check
        CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['search', 'write', 'admin']::text[])
);

CREATE INDEX idx_api_keys_collection_id ON api_keys (collection_id) WHERE collection_id IS NOT NULL;

CREATE TRIGGER trg_api_keys_updated_at
    BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
