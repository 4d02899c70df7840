-- loupe:no-transaction
-- Attribute filters (document @> '{"lang": "en"}') over live documents. Built CONCURRENTLY so adding it
-- to a populated table does not block writes; such a migration runs outside a transaction and must be
-- safe to run again.
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_documents_document
    ON documents USING gin (document jsonb_path_ops) WHERE deleted_at IS NULL;
