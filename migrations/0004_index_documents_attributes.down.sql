-- loupe:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS idx_documents_document;
