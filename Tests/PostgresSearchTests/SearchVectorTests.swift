import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import Testing

/// The documents table's trigger and indexes, exercised with real rows.
@Suite struct SearchVectorTests {
    /// A migrated schema with one collection whose title weighs A and body B.
    static func withCollection(_ body: (TestSchema, UUID) async throws -> Void) async throws {
        try await TestDatabase.withSchema { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationTests.projectMigrations()).up()
            let collection = try await schema.pool.query(
                "INSERT INTO collections (name) VALUES (\("articles")) RETURNING id"
            ).single().decode(UUID.self, column: "id")
            try await schema.pool.query("""
                INSERT INTO collection_fields (collection_id, name, weight, position)
                VALUES (\(collection), 'title', 'A', 0), (\(collection), 'body', 'B', 1)
                """)
            try await body(schema, collection)
        }
    }

    static func vector(_ schema: TestSchema, _ externalID: String) async throws -> String {
        try await schema.pool.query(
            "SELECT search_vector::text AS v FROM documents WHERE external_id = \(externalID)"
        ).single().decode(String.self, column: "v")
    }

    @Test func insertFillsTheVectorWithFieldWeights() async throws {
        try await Self.withCollection { schema, collection in
            let document = PostgresJSONText(#"{"title": "Quick foxes", "body": "jumping over the dogs", "extra": "ignored words"}"#)
            try await schema.pool.query("""
                INSERT INTO documents (collection_id, external_id, document) VALUES (\(collection), \("a1"), \(document))
                """)
            #expect(try await Self.vector(schema, "a1") == "'dog':6B 'fox':2A 'jump':3B 'quick':1A")
        }
    }

    /// The row trigger plans its query once per session (migration 0011: re-planning it per row was 41% of an
    /// incremental import's CPU), and that plan still reads the collection's settings as they are at each row.
    @Test func theRowTriggerReusesItsPlanAndStillSeesSettingChanges() async throws {
        try await Self.withCollection { schema, collection in
            let settings = try await schema.pool.query("""
                SELECT p.proname, c.setting FROM pg_proc p CROSS JOIN LATERAL unnest(p.proconfig) AS c(setting)
                WHERE p.pronamespace = current_schema()::regnamespace
                  AND p.proname IN ('document_search_vectors', 'documents_search_vector_refresh')
                  AND c.setting LIKE 'plan_cache_mode=%'
                ORDER BY p.proname
                """).map { "\(try $0.decode(String.self, column: "proname")) \(try $0.decode(String.self, column: "setting"))" }
            #expect(settings == ["document_search_vectors plan_cache_mode=force_generic_plan",
                                 "documents_search_vector_refresh plan_cache_mode=force_generic_plan"])
            try await schema.pool.withConnection { connection in
                for index in 0..<8 {
                    let document = PostgresJSONText(#"{"title": "Quick foxes", "body": "lazy dogs"}"#)
                    try await connection.query("""
                        INSERT INTO documents (collection_id, external_id, document) VALUES (\(collection), \("g\(index)"), \(document))
                        """)
                }
                try await connection.query("UPDATE collection_fields SET weight = 'C' WHERE collection_id = \(collection) AND name = 'title'")
                try await connection.query("""
                    INSERT INTO documents (collection_id, external_id, document)
                    VALUES (\(collection), \("g8"), \(PostgresJSONText(#"{"title": "Quick foxes", "body": "lazy dogs"}"#)))
                    """)
            }
            #expect(try await Self.vector(schema, "g7") == "'dog':4B 'fox':2A 'lazi':3B 'quick':1A")
            #expect(try await Self.vector(schema, "g8") == "'dog':4B 'fox':2C 'lazi':3B 'quick':1C")
        }
    }

    @Test func stopWordsAreKeptApartAtTheirPositions() async throws {
        try await Self.withCollection { schema, collection in
            try await schema.pool.query("""
                INSERT INTO documents (collection_id, external_id, document)
                VALUES (\(collection), \("s"), \(PostgresJSONText(#"{"title": "The Who", "body": "to be or not to be, running"}"#)))
                """)
            #expect(try await Self.vector(schema, "s") == "'run':7B")
            let stops = try await schema.pool.query("SELECT stop_vector::text AS v FROM documents").single()
                .decode(String.self, column: "v")
            #expect(stops == "'be':4B,8B 'not':6B 'or':5B 'the':1A 'to':3B,7B 'who':2A")
        }
    }

    @Test func missingNullAndNonTextFieldsStillGiveAValidVector() async throws {
        try await Self.withCollection { schema, collection in
            let cases: [(String, String)] = [
                ("empty", "{}"), ("null", #"{"title": null, "body": null}"#), ("number", #"{"title": 42}"#),
                ("only-body", #"{"body": "Postgres"}"#),
            ]
            for (id, json) in cases {
                try await schema.pool.query("""
                    INSERT INTO documents (collection_id, external_id, document)
                    VALUES (\(collection), \(id), \(PostgresJSONText(json)))
                    """)
            }
            #expect(try await Self.vector(schema, "empty") == "")
            #expect(try await Self.vector(schema, "null") == "")
            #expect(try await Self.vector(schema, "number") == "'42':1A")
            #expect(try await Self.vector(schema, "only-body") == "'postgr':1B")
        }
    }

    @Test func updatingTheDocumentRefreshesTheVectorAndTimestamp() async throws {
        try await Self.withCollection { schema, collection in
            try await schema.pool.query("""
                INSERT INTO documents (collection_id, external_id, document)
                VALUES (\(collection), \("d"), \(PostgresJSONText(#"{"title": "old words"}"#)))
                """)
            let before = try await schema.pool.query("SELECT updated_at FROM documents").single().decode(Date.self, column: "updated_at")
            try await Task.sleep(for: .milliseconds(20))
            try await schema.pool.query("""
                UPDATE documents SET document = \(PostgresJSONText(#"{"title": "new", "body": "texts"}"#))
                WHERE external_id = \("d")
                """)
            #expect(try await Self.vector(schema, "d") == "'new':1A 'text':2B")
            let after = try await schema.pool.query("SELECT updated_at FROM documents").single().decode(Date.self, column: "updated_at")
            #expect(after > before)
        }
    }

    @Test func softDeletedRowsLeaveThePartialIndex() async throws {
        try await Self.withCollection { schema, collection in
            for id in ["keep", "drop"] {
                try await schema.pool.query("""
                    INSERT INTO documents (collection_id, external_id, document)
                    VALUES (\(collection), \(id), \(PostgresJSONText(#"{"title": "zebra crossing"}"#)))
                    """)
            }
            try await schema.pool.query("UPDATE documents SET deleted_at = now() WHERE external_id = \("drop")")
            try await schema.pool.withConnection { connection in
                try await connection.query("SET enable_seqscan = off")
                let search: PostgresQuery = """
                    SELECT external_id FROM documents
                    WHERE search_vector @@ to_tsquery('english', \("zebra")) AND deleted_at IS NULL
                    """
                let plan = try await connection.query(PostgresQuery(unsafeSQL: "EXPLAIN ") + search)
                let planText = try plan.map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
                #expect(planText.contains("idx_documents_search_vector"))
                let found = try await connection.query(search).map { try $0.decode(String.self, column: "external_id") }
                #expect(found == ["keep"])
                let definition = try await connection.query(
                    "SELECT pg_get_indexdef('idx_documents_search_vector'::regclass) AS def"
                ).single().decode(String.self, column: "def")
                #expect(definition.hasSuffix("USING gin (search_vector) WHERE (deleted_at IS NULL)"))
                try await connection.query("RESET enable_seqscan")
            }
        }
    }

    @Test func gINIndexServesTextSearchOnFiftyThousandDocuments() async throws {
        try await Self.withCollection { schema, collection in
            let copied = try await schema.pool.withConnection { connection in
                try await connection.copyIn("COPY documents (collection_id, external_id, document) FROM STDIN") { writer in
                    for n in 0..<50_000 {
                        let rare = n % 5_000 == 0 ? " quetzal" : ""
                        let json = #"{"title": "report \#(n)\#(rare)", "body": "ordinary words about document \#(n % 97)"}"#
                        try await writer.writeRow([collection.uuidString, "doc-\(n)", json])
                    }
                }
            }
            #expect(copied == 50_000)
            try await schema.pool.query("ANALYZE documents")
            let search: PostgresQuery = """
                SELECT external_id FROM documents
                WHERE collection_id = \(collection) AND search_vector @@ to_tsquery('english', \("quetzal"))
                  AND deleted_at IS NULL
                """
            let plan = try await schema.pool.query(PostgresQuery(unsafeSQL: "EXPLAIN ") + search)
            let planText = try plan.map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            #expect(planText.contains("Bitmap Index Scan on idx_documents_search_vector"), "plan was:\n\(planText)")
            #expect(try await schema.pool.query(search).count == 10)
        }
    }

    @Test func namingFollowsTheSchemaStandards() async throws {
        try await Self.withCollection { schema, _ in
            let indexes = try await schema.pool.query("""
                SELECT i.relname AS name, c.contype IS NOT NULL AS is_constraint
                FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                JOIN pg_namespace n ON n.oid = i.relnamespace
                LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid
                WHERE n.nspname = \(schema.name)
                """)
            for row in indexes {
                let name = try row.decode(String.self, column: "name")
                if try !row.decode(Bool.self, column: "is_constraint") {
                    #expect(name.hasPrefix("idx_"), "index \(name) is not named idx_<table>_<cols>")
                }
            }
            let constraints = try await schema.pool.query("""
                SELECT c.conname AS name, t.relname AS table_name FROM pg_constraint c
                JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = \(schema.name)
                """)
            for row in constraints {
                let name = try row.decode(String.self, column: "name")
                let table = try row.decode(String.self, column: "table_name")
                #expect(name.hasPrefix(table + "_"), "constraint \(name) does not start with \(table)_")
                let suffixes = ["_pkey", "_fkey", "_key", "_check"]
                #expect(suffixes.contains { name.hasSuffix($0) }, "constraint \(name) has no type suffix")
            }
            let columns = try await schema.pool.query("""
                SELECT table_name, string_agg(column_name, ',') AS cols FROM information_schema.columns
                WHERE table_schema = \(schema.name)
                  -- Keyed statistics and index data without ids or timestamps, by design (migrations 0005, 0010).
                  AND table_name NOT IN ('schema_migrations', 'term_statistics', 'postings',
                                         'packed_documents', 'packed_postings', 'postings_changes')
                GROUP BY table_name
                """)
            for row in columns {
                let cols = Set(try row.decode(String.self, column: "cols").split(separator: ",").map(String.init))
                #expect(cols.isSuperset(of: ["id", "created_at", "updated_at"]))
            }
        }
    }
}
