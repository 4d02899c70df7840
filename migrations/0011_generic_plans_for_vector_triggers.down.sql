ALTER FUNCTION documents_search_vector_refresh() RESET plan_cache_mode;
ALTER FUNCTION document_search_vectors(UUID, JSONB) RESET plan_cache_mode;
