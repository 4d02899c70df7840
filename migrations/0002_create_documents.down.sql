DROP TABLE documents;
DROP FUNCTION documents_search_vector_refresh();
