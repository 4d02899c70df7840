import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore

/// A migrated schema with one collection (`title` weighs A, `body` B) and a search engine over it.
struct SearchFixture {
    let schema: TestSchema
    let store: CollectionStore
    let collection: StoredCollection
    let engine: PostgresSearchEngine

    static func with(
        maximumConnections: Int = 4, _ body: (SearchFixture) async throws -> Void
    ) async throws {
        try await TestDatabase.withSchema(maximumConnections: maximumConnections) { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationTests.projectMigrations()).up()
            let store = CollectionStore(pool: schema.pool)
            let collection = try await store.create(try CollectionDefinition(
                name: CollectionName("articles"),
                fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "body", weight: .b)]))
            let engine = PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            try await body(SearchFixture(schema: schema, store: store, collection: collection, engine: engine))
        }
    }

    func add(_ documents: [String: [String: Any]]) async throws {
        let rows = try documents.sorted { $0.key < $1.key }.map { id, fields in
            (id: id, json: String(decoding: try JSONSerialization.data(withJSONObject: fields), as: UTF8.self))
        }
        try await store.upsert(rows, into: collection)
    }

    func search(_ query: String, _ configure: (inout SearchRequest) -> Void = { _ in }) async throws -> SearchPage {
        var request = SearchRequest(collection: "articles", query: query)
        configure(&request)
        return try await engine.search(request)
    }

    func ids(_ query: String, _ configure: (inout SearchRequest) -> Void = { _ in }) async throws -> Set<String> {
        Set(try await search(query, configure).hits.map(\.id))
    }
}
