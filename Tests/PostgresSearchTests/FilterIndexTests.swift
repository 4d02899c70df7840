import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Testing

@Suite struct FilterIndexTests {
    @Test func declaredAttributesGetAnIndexThatRangeFiltersUse() async throws {
        try await TestDatabase.withSchema { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationTests.projectMigrations()).up()
            let store = CollectionStore(pool: schema.pool)
            let collection = try await store.create(try CollectionDefinition(
                name: CollectionName("events"),
                fields: [SearchableField(name: "title", weight: .a)],
                filterableAttributes: [
                    FilterableAttribute(name: "year", kind: .number), FilterableAttribute(name: "day", kind: .text),
                ]))
            let reloaded = try #require(try await store.find("events"))
            #expect(Set(reloaded.definition.filterableAttributes.map(\.name)) == ["year", "day"])

            var rows: [(id: String, json: String)] = []
            for n in 0..<20_000 {
                let day = String(format: "2026-%02d-%02d", 1 + n % 12, 1 + n % 28)
                rows.append(("e\(n)", #"{"title": "concert night \#(n % 7)", "year": \#(1800 + n % 220), "day": "\#(day)"}"#))
            }
            rows.append(("odd", #"{"title": "concert", "year": "not a number"}"#))
            for start in stride(from: 0, to: rows.count, by: 5_000) {
                try await store.upsert(Array(rows[start..<min(start + 5_000, rows.count)]), into: collection)
            }
            try await schema.pool.query("ANALYZE documents")

            // The same expression the engine writes, with the attribute name bound as a parameter.
            let plan = try await schema.pool.query("""
                EXPLAIN SELECT d.id FROM documents d
                WHERE d.collection_id = \(collection.id) AND d.deleted_at IS NULL
                  AND d.search_vector @@ 'concert'::tsquery
                  AND jsonb_number(d.document -> \("year")) >= \(2001.0)::numeric
                  AND jsonb_number(d.document -> \("year")) <= \(2002.0)::numeric
                """).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            #expect(plan.contains("idx_documents_attribute_"), "plan:\n\(plan)")

            let engine = PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            let page = try await engine.search(SearchRequest(
                collection: "events", query: "concert", limit: 100,
                filters: [AttributeFilter(field: "year", condition: .range(lower: .number(2001), upper: .number(2002)))]))
            // year = 1800 + n % 220, so 2001 and 2002 are n % 220 == 201 or 202: 90 values of n each below 20,000.
            #expect(page.estimatedTotalHits == 180)
            #expect(page.totalIsExact)
            #expect(page.hits.allSatisfy { $0.document.contains("\"year\": 2001") || $0.document.contains("\"year\": 2002") })
            let december = try await engine.search(SearchRequest(
                collection: "events", query: "concert", limit: 10,
                filters: [AttributeFilter(field: "day", condition: .range(lower: .string("2026-12-28"), upper: nil))]))
            #expect(december.estimatedTotalHits > 0)
            #expect(december.hits.allSatisfy { $0.document.contains("\"day\": \"2026-12-28\"") })
            let boolRange = await #expect(throws: SearchError.self) {
                try await engine.search(SearchRequest(
                    collection: "events", query: "concert",
                    filters: [AttributeFilter(field: "year", condition: .range(lower: .bool(true), upper: nil))]))
            }
            #expect(boolRange?.code == "invalid_request")
        }
    }
}
