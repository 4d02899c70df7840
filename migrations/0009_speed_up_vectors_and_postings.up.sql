-- Faster writes with the same vectors, statistics and impacts (issue 6, bulk import throughput):
--   stop words               each field's stop_vector from two dictionary passes (stop_word_vector, with stop-word
--                            twins of the built-in configurations) instead of tsvector_stop_words' position-by-
--                            position comparison in SQL, which it still falls back to where tsvector capped positions;
--   analysis, set-based      a collection's settings read once (collection_analysis) and a document's vectors by an
--                            inlinable SQL function (analysed_document), so a batch computes all its vectors in one
--                            statement; document_search_vectors(), and so the vector trigger, is these two;
--   postings -> collections  the reference is checked once per statement (transition tables) instead of once per
--                            row by a foreign key: a bulk publication writes ~6M postings, and the per-row check was a
--                            quarter of its time. Deleting or truncating a collection still removes its postings;
--   vector trigger           skips the collection a bulk import publishes in its WHEN clause, without calling
--                            PL/pgSQL once per row;
--   impacts                  document_postings() in parts (term frequencies, weighted length, bm25_impact), so a bulk
--                            publication can prepare postings on a second connection and compute the same impacts;
--                            the recount of a collection's totals on its own (recount_collection_statistics); sorts
--                            in byte order where that is the collation's order (text_sorts_byte_wise).

-- Stop-word twins of the built-in configurations. For each stemmer with a stop list, a dictionary that drops just
-- those stop words and writes every other word as the simple dictionary does (both lower-case it the same way);
-- for each language, a copy of its configuration with every stemmer replaced by that dictionary, or by the simple
-- one where the stemmer has no stop list (russian and hindi also stem ASCII words with english_stem). Same
-- tokens, same positions: the twin keeps exactly the words the language keeps, unstemmed.
DO $$
DECLARE
    dictionary record;
    config     record;
BEGIN
    FOR dictionary IN
        SELECT d.dictname, substring(d.dictinitoption FROM 'stopwords\s*=\s*''([^'']+)''') AS stop_list
        FROM pg_ts_dict AS d
        WHERE d.dictnamespace = 'pg_catalog'::regnamespace AND d.dictinitoption ~ 'stopwords'
    LOOP
        EXECUTE format('CREATE TEXT SEARCH DICTIONARY %I (TEMPLATE = pg_catalog.simple, STOPWORDS = %L)',
                       replace(dictionary.dictname, '_stem', '_stop_words'), dictionary.stop_list);
    END LOOP;
    FOR config IN
        SELECT c.oid, c.cfgname FROM pg_ts_config AS c
        WHERE c.cfgnamespace = 'pg_catalog'::regnamespace AND c.cfgname <> 'simple'
    LOOP
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = pg_catalog.%I)', config.cfgname || '_without_stop_words', config.cfgname);
        FOR dictionary IN
            SELECT DISTINCT d.dictname, d.dictinitoption ~ 'stopwords' AS has_stop_list
            FROM pg_ts_config_map AS m JOIN pg_ts_dict AS d ON d.oid = m.mapdict
            WHERE m.mapcfg = config.oid AND d.dictname <> 'simple'
        LOOP
            EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING REPLACE pg_catalog.%I WITH %s',
                           config.cfgname || '_without_stop_words', dictionary.dictname,
                           CASE WHEN dictionary.has_stop_list THEN quote_ident(replace(dictionary.dictname, '_stem', '_stop_words'))
                                ELSE 'pg_catalog.simple' END);
        END LOOP;
    END LOOP;
END;
$$;

-- The stop words of one field as tsvector_stop_words(body, analysed) finds them: the simple configuration's
-- words minus those `without_stops` (the collection's configuration's stop-word twin) keeps. A word is a stop
-- word or not whatever its position, so this equals the positional comparison wherever `analysed` kept every
-- position: a field of 255 or more characters may hold a lexeme capped at 255 positions, and one of 16,383 or
-- more positions clamped at 16,383; those, and configurations without a twin (`without_stops` NULL), take the
-- positional function. A table function, so that it is inlined into the caller's query.
CREATE FUNCTION stop_word_vector(body TEXT, analysed tsvector, without_stops regconfig)
RETURNS TABLE (stop_words tsvector)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN without_stops IS NULL OR char_length(body) >= 16383
          OR (char_length(body) >= 255 AND EXISTS (SELECT 1 FROM unnest(analysed) AS u WHERE cardinality(u.positions) >= 255))
            THEN tsvector_stop_words(body, analysed)
        ELSE ts_delete(to_tsvector('pg_catalog.simple', body), tsvector_to_array(to_tsvector(without_stops, body)))
    END
$$;

-- tsvector concatenation (||, later positions shifted past earlier ones) as an aggregate.
CREATE AGGREGATE tsvector_concat_agg(tsvector) (SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '');

-- A collection's analysis settings: its configuration, that configuration's stop-word twin (from the schema
-- holding `collections`; the simple configuration is its own; NULL when there is none), and its searchable
-- fields in order. No row when the collection does not exist. Inlined into the caller's query, so a statement
-- reads them once.
CREATE FUNCTION collection_analysis(target UUID)
RETURNS TABLE (config regconfig, without_stop_words regconfig, field_names TEXT[], field_weights "char"[])
LANGUAGE sql STABLE
AS $$
    SELECT c.text_search_config,
           CASE WHEN t.cfgname = 'simple' THEN 'pg_catalog.simple'::regconfig ELSE w.oid::regconfig END,
           coalesce(f.names, '{}'), coalesce(f.weights, '{}')
    FROM collections AS c
    LEFT JOIN pg_ts_config AS t ON t.oid = c.text_search_config AND t.cfgnamespace = 'pg_catalog'::regnamespace
    LEFT JOIN pg_ts_config AS w ON w.cfgname = t.cfgname || '_without_stop_words'
                               AND w.cfgnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'collections'::regclass)
    CROSS JOIN LATERAL (
        SELECT array_agg(cf.name ORDER BY cf.position, cf.name) AS names, array_agg(cf.weight ORDER BY cf.position, cf.name) AS weights
        FROM collection_fields AS cf WHERE cf.collection_id = c.id
    ) AS f
    WHERE c.id = target
$$;

-- A document's vectors under given settings, as document_search_vectors() has always computed them: per field in
-- order, setweight(to_tsvector(config, text), weight) concatenated into search_vector, the field's stop words
-- likewise into stop_vector, and the positions per weight class of search_vector. Inlined into the caller's
-- query (a table function without SET), so a batch's vectors are one set-based statement.
CREATE FUNCTION analysed_document(
    config regconfig, without_stop_words regconfig, field_names TEXT[], field_weights "char"[], body JSONB
)
RETURNS TABLE (search_vector TSVECTOR, stop_vector TSVECTOR, class_lengths INTEGER[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT v.search_vector, v.stop_vector,
           (SELECT ARRAY[count(*) FILTER (WHERE w = 'A'), count(*) FILTER (WHERE w = 'B'),
                         count(*) FILTER (WHERE w = 'C'), count(*) FILTER (WHERE w = 'D')]::integer[]
            FROM unnest(v.search_vector) AS u, unnest(u.weights) AS w)
    FROM (
        SELECT tsvector_concat_agg(setweight(a.analysed, f.weight) ORDER BY f.n) AS search_vector,
               tsvector_concat_agg(setweight(s.stop_words, f.weight) ORDER BY f.n) AS stop_vector
        FROM unnest(field_names, field_weights) WITH ORDINALITY AS f(name, weight, n)
        -- OFFSET 0 keeps the analysis a column, computed once, instead of an expression copied into each use.
        CROSS JOIN LATERAL (SELECT t.text, to_tsvector(config, t.text) AS analysed
                            FROM (SELECT coalesce(body ->> f.name, '') AS text) AS t OFFSET 0) AS a
        CROSS JOIN LATERAL stop_word_vector(a.text, a.analysed, without_stop_words) AS s
    ) AS v
$$;

-- As in 0008 (NULLs when the collection does not exist), now from the two functions above.
CREATE OR REPLACE FUNCTION document_search_vectors(
    target UUID, body JSONB,
    OUT search_vector TSVECTOR, OUT stop_vector TSVECTOR, OUT class_lengths INTEGER[]
)
LANGUAGE plpgsql STABLE
SET search_path FROM CURRENT
AS $$
BEGIN
    SELECT v.search_vector, v.stop_vector, v.class_lengths INTO search_vector, stop_vector, class_lengths
    FROM collection_analysis(target) AS a
    CROSS JOIN LATERAL analysed_document(a.config, a.without_stop_words, a.field_names, a.field_weights, body) AS v;
END;
$$;

-- The function still checks loupe.bulk_collection; the WHEN clause saves the call for the published rows.
DROP TRIGGER trg_documents_search_vector ON documents;
CREATE TRIGGER trg_documents_search_vector
    BEFORE INSERT OR UPDATE OF document, collection_id ON documents
    FOR EACH ROW
    WHEN (current_setting('loupe.bulk_collection', true) IS DISTINCT FROM NEW.collection_id::text)
    EXECUTE FUNCTION documents_search_vector_refresh();

-- postings.collection_id -> collections.id, as the foreign key kept it, once per statement.
ALTER TABLE postings DROP CONSTRAINT postings_collection_id_fkey;

CREATE FUNCTION postings_collection_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    missing UUID;
BEGIN
    -- KEY SHARE, as the foreign key's check took: the collections cannot be deleted before this commits.
    PERFORM 1 FROM collections AS c WHERE c.id IN (SELECT n.collection_id FROM new_rows AS n) FOR KEY SHARE OF c;
    SELECT n.collection_id INTO missing
    FROM (SELECT DISTINCT collection_id FROM new_rows) AS n
    WHERE NOT EXISTS (SELECT 1 FROM collections AS c WHERE c.id = n.collection_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "postings" violates its reference to "collections"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (collection_id)=(%s) is not present in table "collections".', missing);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_postings_collection_insert
    AFTER INSERT ON postings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION postings_collection_check();
CREATE TRIGGER trg_postings_collection_update
    AFTER UPDATE ON postings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION postings_collection_check();

-- ON DELETE CASCADE (and TRUNCATE ... CASCADE) of the foreign key; plpgsql resolves old_rows only where it runs.
CREATE FUNCTION collections_postings_cascade() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE postings;
    ELSE
        DELETE FROM postings AS p USING old_rows AS o WHERE p.collection_id = o.id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_collections_postings_delete
    AFTER DELETE ON collections REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION collections_postings_cascade();
CREATE TRIGGER trg_collections_postings_truncate
    AFTER TRUNCATE ON collections
    FOR EACH STATEMENT EXECUTE FUNCTION collections_postings_cascade();

-- ON UPDATE NO ACTION of the foreign key: a collection's id cannot change while postings refer to it.
CREATE FUNCTION collections_postings_key_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM postings WHERE collection_id = OLD.id) THEN
        RAISE EXCEPTION 'update on table "collections" violates the reference from "postings"'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (id)=(%s) is still referenced from table "postings".', OLD.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_collections_postings_key
    AFTER UPDATE OF id ON collections
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION collections_postings_key_check();

-- document_postings() in three parts, so that a bulk publication can compute term frequencies and lengths
-- ahead (on another connection) and the impacts at publication with the same arithmetic, bit for bit.

-- Per lexeme of a vector, its occurrences weighted by class (A counts class_weights[1], ...); 0 for a lexeme
-- only in classes weighted 0.
CREATE FUNCTION document_term_frequencies(vector tsvector, class_weights DOUBLE PRECISION[])
RETURNS TABLE (lexeme TEXT, tf DOUBLE PRECISION)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT u.lexeme, f.tf
    FROM unnest(vector) AS u
    CROSS JOIN LATERAL (
        SELECT sum(CASE w WHEN 'A' THEN class_weights[1] WHEN 'B' THEN class_weights[2]
                          WHEN 'C' THEN class_weights[3] ELSE class_weights[4] END) AS tf
        FROM unnest(u.weights) AS w
    ) AS f
$$;

-- A document's length weighted by class, as BM25's length normalisation counts it.
CREATE FUNCTION document_weighted_length(class_lengths INTEGER[], class_weights DOUBLE PRECISION[]) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT class_weights[1] * class_lengths[1] + class_weights[2] * class_lengths[2]
         + class_weights[3] * class_lengths[3] + class_weights[4] * class_lengths[4]
$$;

-- The BM25 impact tf*(k1+1) / (tf + k1*(1 - b + b*length/reference_length)).
CREATE FUNCTION bm25_impact(
    tf DOUBLE PRECISION, weighted_length DOUBLE PRECISION, k1 DOUBLE PRECISION, b DOUBLE PRECISION,
    reference_length DOUBLE PRECISION
) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT tf * (k1 + 1) / (tf + k1 * (1 - b + b * weighted_length / greatest(reference_length, 1e-9)))
$$;

-- As in 0005, from the parts above: the same operations in the same order.
CREATE OR REPLACE FUNCTION document_postings(
    vector tsvector, class_lengths INTEGER[], class_weights DOUBLE PRECISION[],
    k1 DOUBLE PRECISION, b DOUBLE PRECISION, reference_length DOUBLE PRECISION
) RETURNS TABLE (lexeme TEXT, impact DOUBLE PRECISION)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT t.lexeme, bm25_impact(t.tf, document_weighted_length(class_lengths, class_weights), k1, b, reference_length)
    FROM document_term_frequencies(vector, class_weights) AS t
    WHERE t.tf > 0
$$;

-- True when the database's default collation orders text as its bytes do (libc C, POSIX or C.UTF-8, whose
-- order is code point order): then COLLATE "C" sorts text into the same order, without strcoll.
CREATE FUNCTION text_sorts_byte_wise() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT d.datlocprovider = 'c' AND d.datcollate IN ('C', 'POSIX', 'C.UTF-8', 'C.utf8')
    FROM pg_database AS d WHERE d.datname = current_database()
$$;

-- A collection's live document count, class lengths and reference length, recounted from its documents, as
-- rebuild_search_statistics() has always begun; returns the live document count.
CREATE FUNCTION recount_collection_statistics(target UUID) RETURNS BIGINT
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    INSERT INTO collection_statistics AS s (collection_id, document_count, class_lengths, reference_length)
    SELECT target, count(*),
           ARRAY[coalesce(sum(d.class_lengths[1]), 0), coalesce(sum(d.class_lengths[2]), 0),
                 coalesce(sum(d.class_lengths[3]), 0), coalesce(sum(d.class_lengths[4]), 0)]::bigint[],
           0
    FROM documents d WHERE d.collection_id = target AND d.deleted_at IS NULL
    ON CONFLICT (collection_id) DO UPDATE SET
        document_count = EXCLUDED.document_count, class_lengths = EXCLUDED.class_lengths;

    UPDATE collection_statistics AS s
    SET reference_length = CASE WHEN s.document_count = 0 THEN 0 ELSE
        (c.bm25_class_weights[1] * s.class_lengths[1] + c.bm25_class_weights[2] * s.class_lengths[2]
       + c.bm25_class_weights[3] * s.class_lengths[3] + c.bm25_class_weights[4] * s.class_lengths[4]) / s.document_count END
    FROM collections AS c
    WHERE c.id = s.collection_id AND s.collection_id = target
    RETURNING s.document_count;
$$;

-- As in 0008 (the recount above, then document frequencies and impacts from the live documents), except for
-- the sorts: where the database orders text byte-wise (libc C, POSIX or C.UTF-8, the managed cluster's
-- collation) byte order is the indexes' order, and sorts ~6M postings in about 60 % of the time strcoll takes.
CREATE OR REPLACE FUNCTION rebuild_search_statistics(target UUID) RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $$
    SELECT recount_collection_statistics(target);

    DELETE FROM term_statistics WHERE collection_id = target;
    INSERT INTO term_statistics (collection_id, lexeme, document_frequency)
    SELECT target, l.lexeme, count(*)
    FROM documents d, unnest(tsvector_to_array(d.search_vector)) AS l(lexeme)
    WHERE d.collection_id = target AND d.deleted_at IS NULL
    GROUP BY l.lexeme
    ORDER BY CASE WHEN (SELECT text_sorts_byte_wise()) THEN l.lexeme COLLATE "C" END,
             CASE WHEN NOT (SELECT text_sorts_byte_wise()) THEN l.lexeme END;

    DELETE FROM postings WHERE collection_id = target;
    INSERT INTO postings (collection_id, lexeme, document_id, impact)
    SELECT d.collection_id, dp.lexeme, d.id, dp.impact
    FROM documents AS d
    JOIN collections AS k ON k.id = d.collection_id
    JOIN collection_statistics AS s ON s.collection_id = d.collection_id
    CROSS JOIN LATERAL document_postings(d.search_vector, d.class_lengths, k.bm25_class_weights,
                                         k.bm25_k1, k.bm25_b, s.reference_length) AS dp
    WHERE d.collection_id = target AND d.deleted_at IS NULL
    ORDER BY CASE WHEN (SELECT text_sorts_byte_wise()) THEN dp.lexeme COLLATE "C" END,
             CASE WHEN NOT (SELECT text_sorts_byte_wise()) THEN dp.lexeme END,
             d.id;
$$;
