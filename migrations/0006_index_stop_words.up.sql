-- Stop words are left out of search_vector (and so out of BM25), but a query made only of stop words
-- ("the who", "to be or not to be") must still find documents. stop_vector keeps just those words, as
-- the simple configuration writes them, at their real positions, so phrases of stop words work, and a
-- GIN index serves them.

ALTER TABLE documents ADD COLUMN stop_vector TSVECTOR NOT NULL DEFAULT ''::tsvector;

-- The words of `body` at positions its analysis `analysed` left empty: the stop words.
CREATE FUNCTION tsvector_stop_words(body TEXT, analysed tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    WITH kept AS (
        SELECT coalesce(array_agg(p), '{}') AS positions FROM unnest(analysed) AS u, unnest(u.positions) AS p
    ),
    words AS (
        SELECT s.lexeme, array_agg(p ORDER BY p) AS positions
        FROM unnest(to_tsvector('pg_catalog.simple', body)) AS s, unnest(s.positions) AS p, kept
        WHERE p <> ALL (kept.positions)
        GROUP BY s.lexeme
    )
    SELECT coalesce(string_agg(quote_literal(lexeme) || ':' || array_to_string(positions, ','), ' '), '')::tsvector
    FROM words
$$;

CREATE OR REPLACE FUNCTION documents_search_vector_refresh() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
    config   regconfig;
    field    record;
    body     text;
    analysed tsvector;
    vector   tsvector := ''::tsvector;
    stops    tsvector := ''::tsvector;
BEGIN
    SELECT c.text_search_config INTO config FROM collections c WHERE c.id = NEW.collection_id;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    FOR field IN
        SELECT f.name, f.weight FROM collection_fields f
        WHERE f.collection_id = NEW.collection_id
        ORDER BY f.position
    LOOP
        body := coalesce(NEW.document ->> field.name, '');
        analysed := to_tsvector(config, body);
        vector := vector || setweight(analysed, field.weight);
        stops := stops || setweight(tsvector_stop_words(body, analysed), field.weight);
    END LOOP;
    NEW.search_vector := vector;
    NEW.stop_vector := stops;
    NEW.class_lengths := tsvector_class_lengths(vector);
    RETURN NEW;
END;
$$;

CREATE INDEX idx_documents_stop_vector ON documents USING gin (stop_vector) WHERE deleted_at IS NULL;

-- Fill the column for rows written before this migration (the vector trigger recomputes both).
UPDATE documents SET document = document;
