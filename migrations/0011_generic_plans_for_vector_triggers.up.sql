-- Every document written outside a bulk publication gets its vectors from the BEFORE ROW trigger, which runs
-- document_search_vectors() once per row. That function's query inlines collection_analysis() and
-- analysed_document(); the plan cache kept choosing a custom plan for it, so every row re-parsed those SQL
-- functions' bodies and planned the query again: 41% of the CPU of an incremental import (perf, session 7),
-- against 9% for to_tsvector itself. Nothing in the query gains from a plan made for particular values (the
-- collection is looked up by its key, the document is one value), so both functions use the generic plan,
-- made once per session.
ALTER FUNCTION document_search_vectors(UUID, JSONB) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION documents_search_vector_refresh() SET plan_cache_mode = force_generic_plan;
