import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Testing

@Suite struct StatisticsAndFuzzTests {
    @Test func statisticsMatchARecountAfterMixedConcurrentWrites() async throws {
        try await SearchFixture.with(maximumConnections: 6) { fixture in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for n in 0..<40 {
                            let id = "w\(writer)-\(n % 25)"
                            try await fixture.add([id: ["title": "shared words \(n)", "body": "writer \(writer) pass \(n) common"]])
                            if n % 7 == 0 { try await fixture.store.delete(id, from: fixture.collection) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await fixture.schema.pool.query("DELETE FROM documents WHERE external_id LIKE 'w0-1%'")
            let mismatches = try await fixture.schema.pool.query("""
                WITH live AS (SELECT * FROM documents WHERE deleted_at IS NULL),
                     recount AS (SELECT collection_id, l AS lexeme, count(*) AS df
                                 FROM live, unnest(tsvector_to_array(search_vector)) AS l GROUP BY 1, 2)
                SELECT count(*) AS n FROM recount r
                FULL JOIN (SELECT * FROM term_statistics WHERE document_frequency <> 0) t
                  ON t.collection_id = r.collection_id AND t.lexeme = r.lexeme
                WHERE r.df IS DISTINCT FROM t.document_frequency
                """).single().decode(Int.self, column: "n")
            #expect(mismatches == 0)
            let totals = try await fixture.schema.pool.query("""
                SELECT s.document_count = (SELECT count(*) FROM documents WHERE deleted_at IS NULL) AS count_ok,
                       s.class_lengths = (SELECT ARRAY[sum(class_lengths[1]), sum(class_lengths[2]), sum(class_lengths[3]), sum(class_lengths[4])]::bigint[]
                                          FROM documents WHERE deleted_at IS NULL) AS lengths_ok
                FROM collection_statistics s
                """).single()
            #expect(try totals.decode(Bool.self, column: "count_ok"))
            #expect(try totals.decode(Bool.self, column: "lengths_ok"))
        }
    }

    /// Postings refer to their collection through statement-level triggers (migration 0009) rather than a
    /// per-row foreign key: a posting for no collection is refused, and deleting or truncating collections
    /// takes their postings along, as the foreign key's ON DELETE CASCADE did.
    @Test func postingsKeepTheirReferenceToTheCollection() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(["a": ["title": "harbour lantern", "body": "quartz meadow"], "b": ["title": "falcon", "body": "cipher"]])
            let count: PostgresQuery = "SELECT count(*) AS n FROM postings"
            #expect(try await fixture.schema.pool.query(count).single().decode(Int.self, column: "n") == 6)
            let orphan = await #expect(throws: PostgresError.self) {
                try await fixture.schema.pool.query("INSERT INTO postings VALUES (gen_random_uuid(), 'stray', gen_random_uuid(), 1)")
            }
            #expect(orphan?.code == .foreignKeyViolation)
            let moved = await #expect(throws: PostgresError.self) {
                try await fixture.schema.pool.query("UPDATE postings SET collection_id = gen_random_uuid() WHERE lexeme = 'falcon'")
            }
            #expect(moved?.code == .foreignKeyViolation)
            #expect(try await fixture.schema.pool.query(count).single().decode(Int.self, column: "n") == 6)

            let other = try await fixture.store.create(try CollectionDefinition(
                name: CollectionName("other"), fields: [SearchableField(name: "title", weight: .a)]))
            try await fixture.schema.pool.query("""
                INSERT INTO documents (collection_id, external_id, document) VALUES (\(other.id), 'x', '{"title": "willow tundra"}')
                """)
            // A posting no document accounts for goes with its collection too (only the cascade removes it).
            try await fixture.schema.pool.query("INSERT INTO postings VALUES (\(fixture.collection.id), 'stray', gen_random_uuid(), 1)")
            try await fixture.schema.pool.query("DELETE FROM collections WHERE id = \(fixture.collection.id)")
            let left = try await fixture.schema.pool.query("SELECT array_agg(lexeme ORDER BY lexeme)::text AS l FROM postings").single()
            #expect(try left.decode(String.self, column: "l") == "{tundra,willow}")
            try await fixture.schema.pool.query("TRUNCATE collections CASCADE")
            #expect(try await fixture.schema.pool.query(count).single().decode(Int.self, column: "n") == 0)
        }
    }

    /// A thousand seeded garbage queries: each either searches or is refused as a bad request, never a
    /// server-side failure.
    @Test func garbageQueriesNeverFailServerSide() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(QuerySemanticsTests.corpus)
            var state: UInt64 = 0x5EED_1005
            func next() -> UInt64 {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            let pieces = ["\"", "-", "*", "OR", "|", "(", ")", " ", "'", "\\", ":", "&", "!", "<->", "fox", "the", "quick",
                          "é", "漢字", "🦊", "\u{0301}", "a", "1", "%", "_", "$1", "';--", "\u{200B}", "datab", "e-mail"]
            var served = 0
            for _ in 0..<1_000 {
                let length = Int(next() % 12)
                let query = (0..<length).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
                do {
                    _ = try await fixture.search(query) { $0.highlight = HighlightRequest(fields: ["title", "body"]) }
                    served += 1
                } catch let error as SearchError {
                    #expect(error.code == "invalid_request", "query \(query.debugDescription) failed with \(error)")
                }
            }
            #expect(served > 300)
        }
    }
}
