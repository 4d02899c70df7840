-- Attribute indexes are created by the application; drop the ones still recorded.
DO $$
DECLARE
    attribute record;
BEGIN
    FOR attribute IN SELECT index_name FROM collection_attributes LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', attribute.index_name);
    END LOOP;
END;
$$;
DROP TABLE collection_attributes;
DROP FUNCTION jsonb_text(JSONB);
DROP FUNCTION jsonb_number(JSONB);
