-- Packed postings: for a collection's common lexemes, every posting of the lexeme in one value, so that
-- ranking a query of common terms reads a few values instead of a row per posting.
--   packed_documents  the live documents a build saw, numbered 0, 1, ... in uuid order;
--   packed_postings   per (collection, lexeme): its postings as of that build, by document number, with the
--                     float8 impacts (the layout is PostingsPack's, in Sources/PostgresSearch/Packing);
--   postings_changes  documents written since: their packed postings may be stale, so a search masks them
--                     out of the packs and reads their postings rows instead.
-- A build is one REPEATABLE READ transaction that also deletes the changes its snapshot saw, so in any
-- snapshot "packed and not changed" means "as in the postings rows". Statements that rewrite a whole
-- collection's postings (a rebuild, new impacts) forget its packs instead, under the advisory lock a build
-- holds (packed_postings_lock_key), so no build can straddle them.

-- Like postings and term_statistics: keyed index data, without ids or per-row timestamps, by design.
CREATE TABLE packed_documents (
    collection_id UUID    NOT NULL,
    ordinal       INTEGER NOT NULL,
    document_id   UUID    NOT NULL,
    CONSTRAINT packed_documents_collection_id_ordinal_pkey PRIMARY KEY (collection_id, ordinal) INCLUDE (document_id),
    CONSTRAINT packed_documents_collection_id_document_id_key UNIQUE (collection_id, document_id) INCLUDE (ordinal),
    CONSTRAINT packed_documents_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    CONSTRAINT packed_documents_ordinal_check CHECK (ordinal >= 0)
);

CREATE TABLE packed_postings (
    collection_id UUID    NOT NULL,
    lexeme        TEXT    NOT NULL,
    posting_count INTEGER NOT NULL,
    postings      BYTEA   NOT NULL,
    CONSTRAINT packed_postings_collection_id_lexeme_pkey PRIMARY KEY (collection_id, lexeme),
    CONSTRAINT packed_postings_collection_id_fkey
        FOREIGN KEY (collection_id) REFERENCES collections (id) ON DELETE CASCADE,
    CONSTRAINT packed_postings_posting_count_check CHECK (posting_count > 0)
);
-- Varints and small indexes hardly compress: store out of line without trying.
ALTER TABLE packed_postings ALTER COLUMN postings SET STORAGE EXTERNAL;

-- Appended by every document write (one row per written document, duplicates allowed), emptied by builds.
-- No foreign key: a hot insert path; rows of deleted collections are removed by a trigger on collections.
CREATE TABLE postings_changes (
    collection_id UUID NOT NULL,
    document_id   UUID NOT NULL
);
CREATE INDEX idx_postings_changes_collection_id_document_id ON postings_changes (collection_id, document_id);

-- The advisory lock (two int4 keys) that builds and whole-collection rewrites of a collection's postings take.
CREATE FUNCTION packed_postings_lock_key(target UUID) RETURNS INTEGER[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ARRAY[hashtext('loupe.packed_postings'), hashtext(target::text)]
$$;

-- Drops a collection's packs (and the changes only they needed), waiting for a build in progress to finish.
CREATE FUNCTION forget_packed_postings(target UUID) RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    key INTEGER[] := packed_postings_lock_key(target);
BEGIN
    PERFORM pg_advisory_xact_lock(key[1], key[2]);
    DELETE FROM packed_postings WHERE collection_id = target;
    DELETE FROM packed_documents WHERE collection_id = target;
    DELETE FROM postings_changes WHERE collection_id = target;
END;
$$;

-- Rows of the collection named by loupe.bulk_collection are left out: a bulk publication rewrites the whole
-- collection's postings and forgets its packs.
CREATE FUNCTION documents_postings_changes_log() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    deferred UUID := nullif(current_setting('loupe.bulk_collection', true), '')::uuid;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO postings_changes (collection_id, document_id)
        SELECT n.collection_id, n.id FROM new_rows n
        WHERE n.collection_id IS DISTINCT FROM deferred AND n.collection_id IN (SELECT id FROM collections);
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO postings_changes (collection_id, document_id)
        SELECT c.collection_id, c.id FROM (
            SELECT n.collection_id, n.id FROM new_rows n
            UNION
            SELECT o.collection_id, o.id FROM old_rows o
        ) AS c
        WHERE c.collection_id IS DISTINCT FROM deferred AND c.collection_id IN (SELECT id FROM collections);
    ELSE
        -- A cascade from a deleted collection finds the collection gone and logs nothing.
        INSERT INTO postings_changes (collection_id, document_id)
        SELECT o.collection_id, o.id FROM old_rows o
        WHERE o.collection_id IS DISTINCT FROM deferred AND o.collection_id IN (SELECT id FROM collections);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_documents_postings_changes_insert
    AFTER INSERT ON documents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION documents_postings_changes_log();
CREATE TRIGGER trg_documents_postings_changes_update
    AFTER UPDATE ON documents REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION documents_postings_changes_log();
CREATE TRIGGER trg_documents_postings_changes_delete
    AFTER DELETE ON documents REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION documents_postings_changes_log();

CREATE FUNCTION collections_postings_changes_cascade() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    DELETE FROM postings_changes AS p USING old_rows AS o WHERE p.collection_id = o.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_collections_postings_changes_delete
    AFTER DELETE ON collections REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION collections_postings_changes_cascade();

-- The two functions that rewrite every posting of a collection forget its packs first; their bodies stay
-- as they were, under new names.
ALTER FUNCTION rebuild_search_statistics(UUID) RENAME TO rebuild_search_statistics_unpacked;
ALTER FUNCTION refresh_search_impacts(UUID) RENAME TO refresh_search_impacts_unpacked;

CREATE FUNCTION rebuild_search_statistics(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT forget_packed_postings(target);
    SELECT rebuild_search_statistics_unpacked(target);
$$;

CREATE FUNCTION refresh_search_impacts(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT forget_packed_postings(target);
    SELECT refresh_search_impacts_unpacked(target);
$$;
