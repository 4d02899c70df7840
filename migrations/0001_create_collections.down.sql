DROP TABLE collection_fields;
DROP TABLE collections;
DROP FUNCTION update_updated_at_column();
