\timing on
SET search_path = scratch_coll;
DROP TABLE IF EXISTS td, tc;
CREATE TABLE td (collection_id uuid not null, lexeme text not null, document_id uuid not null, impact float8 not null, PRIMARY KEY (collection_id, lexeme, document_id) INCLUDE (impact));
CREATE INDEX ON td (collection_id, lexeme, impact DESC) INCLUDE (document_id);
CREATE TABLE tc (collection_id uuid not null, lexeme text COLLATE "C" not null, document_id uuid not null, impact float8 not null, PRIMARY KEY (collection_id, lexeme, document_id) INCLUDE (impact));
CREATE INDEX ON tc (collection_id, lexeme, impact DESC) INCLUDE (document_id);
CREATE TEMP TABLE src AS SELECT * FROM pd WHERE document_id < '40000000-0000-0000-0000-000000000000' ORDER BY document_id;
SELECT count(*) FROM src;
INSERT INTO td SELECT * FROM src;
INSERT INTO tc SELECT * FROM src;
TRUNCATE td, tc;
INSERT INTO tc SELECT * FROM src;
INSERT INTO td SELECT * FROM src;
