-- One reindex rewrite (CollectionReindexer.rewriteStatement) over the documents of :coll in (:lo, :hi].
\set QUIET on
SELECT id FROM collections WHERE name = :'coll' \gset
\timing on
WITH fresh AS MATERIALIZED (
    SELECT d.id, d.document, v.search_vector, v.stop_vector, v.class_lengths
    FROM documents d
    CROSS JOIN collection_analysis(:'id') AS a
    CROSS JOIN LATERAL analysed_document(a.config, a.without_stop_words, a.field_names, a.field_weights, d.document) AS v
    WHERE d.collection_id = :'id' AND d.external_id > :'lo' AND d.external_id <= :'hi' AND d.deleted_at IS NULL
)
UPDATE documents AS d
SET search_vector = f.search_vector, stop_vector = f.stop_vector, class_lengths = f.class_lengths
FROM fresh AS f
WHERE d.id = f.id AND d.document = f.document AND d.deleted_at IS NULL
  AND (d.search_vector <> f.search_vector OR d.stop_vector <> f.stop_vector OR d.class_lengths <> f.class_lengths);
