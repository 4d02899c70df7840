DROP FUNCTION refresh_search_impacts(UUID);
DROP FUNCTION rebuild_search_statistics(UUID);
ALTER FUNCTION refresh_search_impacts_unpacked(UUID) RENAME TO refresh_search_impacts;
ALTER FUNCTION rebuild_search_statistics_unpacked(UUID) RENAME TO rebuild_search_statistics;

DROP TRIGGER trg_collections_postings_changes_delete ON collections;
DROP FUNCTION collections_postings_changes_cascade();
DROP TRIGGER trg_documents_postings_changes_delete ON documents;
DROP TRIGGER trg_documents_postings_changes_update ON documents;
DROP TRIGGER trg_documents_postings_changes_insert ON documents;
DROP FUNCTION documents_postings_changes_log();
DROP FUNCTION forget_packed_postings(UUID);
DROP FUNCTION packed_postings_lock_key(UUID);
DROP TABLE postings_changes;
DROP TABLE packed_postings;
DROP TABLE packed_documents;
