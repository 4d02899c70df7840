import DocumentSources
import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Testing

/// A migrated schema, helpers to write input files and to check a collection's statistics against its
/// documents, for the import and reindex tests.
struct ImportFixture {
    let schema: TestSchema
    let store: CollectionStore
    let engine: PostgresSearchEngine

    static func with(maximumConnections: Int = 6, _ body: (ImportFixture) async throws -> Void) async throws {
        try await TestDatabase.withSchema(maximumConnections: maximumConnections) { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationTests.projectMigrations()).up()
            try await body(ImportFixture(
                schema: schema, store: CollectionStore(pool: schema.pool),
                engine: PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())))
        }
    }

    func collection(_ name: String, title: FieldWeight = .a, body: FieldWeight = .b) async throws -> StoredCollection {
        try await store.create(try CollectionDefinition(
            name: CollectionName(name),
            fields: [SearchableField(name: "title", weight: title), SearchableField(name: "body", weight: body)]))
    }

    /// Writes a temporary file; `.gz` suffixes are compressed with gzip.
    static func file(_ text: String, suffix: String) throws -> String {
        let gzip = suffix.hasSuffix(".gz")
        let path = NSTemporaryDirectory() + "import-\(UUID().uuidString)" + (gzip ? String(suffix.dropLast(3)) : suffix)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        guard gzip else { return path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
        return path + ".gz"
    }

    /// `count` documents with a few hundred distinct words, so statistics have something to count.
    static func documents(_ count: Int, from start: Int = 0, tag: String = "") -> [(id: String, title: String, body: String)] {
        let words = ["harbour", "lantern", "quartz", "meadow", "falcon", "cipher", "orchard", "glacier", "ember", "willow",
                     "tundra", "saffron", "beacon", "marble", "thistle", "canyon", "velvet", "nectar", "pylon", "sparrow"]
        return (start..<(start + count)).map { index in
            let title = "\(words[index % 20]) \(words[(index / 20) % 20]) number\(index % 97) \(tag)"
            let body = (0..<(5 + index % 11)).map { words[(index * 7 + $0 * 3) % 20] + "\($0 % 4)" }.joined(separator: " ")
                + " the quick and the slow"
            return (String(format: "doc-%06d", index), title, body)
        }
    }

    static func jsonLines(_ documents: [(id: String, title: String, body: String)]) throws -> String {
        try documents.map { document in
            let object: [String: String] = ["id": document.id, "title": document.title, "body": document.body]
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    /// Merges the pending list of every GIN index of `documents` (`gin_clean_pending_list`) and returns, per index
    /// in name order, how many pages were still pending.
    func mergePendingLists() async throws -> [(index: String, pages: Int)] {
        try await schema.pool.query("""
            SELECT c.relname AS name, gin_clean_pending_list(i.indexrelid) AS pages
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
            WHERE i.indrelid = 'documents'::regclass AND a.amname = 'gin'
            ORDER BY 1
            """).map { (try $0.decode(String.self, column: "name"), try $0.decode(Int.self, column: "pages")) }
    }

    /// External id to stored JSON text of the collection's live documents.
    func storedDocuments(_ collection: StoredCollection) async throws -> [String: String] {
        let rows = try await schema.pool.query("""
            SELECT external_id, document::text AS body FROM documents WHERE collection_id = \(collection.id) AND deleted_at IS NULL
            """)
        return Dictionary(uniqueKeysWithValues: try rows.map {
            (try $0.decode(String.self, column: "external_id"), try $0.decode(String.self, column: "body"))
        })
    }

    /// Differences between the stored statistics and those recomputed from the live documents (empty when
    /// consistent): document count, class lengths, every lexeme's document frequency, and one posting per
    /// live (document, lexeme), with the impact its document and the stored reference length give.
    func statisticsProblems(_ collection: StoredCollection) async throws -> [String] {
        let row = try await schema.pool.query("""
            WITH live AS (SELECT * FROM documents WHERE collection_id = \(collection.id) AND deleted_at IS NULL),
            terms AS (SELECT l.lexeme, count(*) AS df FROM live, unnest(tsvector_to_array(live.search_vector)) AS l(lexeme) GROUP BY l.lexeme)
            SELECT
              (SELECT count(*) FROM live) AS documents,
              (SELECT document_count FROM collection_statistics WHERE collection_id = \(collection.id)) AS stored_documents,
              (SELECT ARRAY[sum(class_lengths[1]), sum(class_lengths[2]), sum(class_lengths[3]), sum(class_lengths[4])]::bigint[]::text FROM live) AS lengths,
              (SELECT class_lengths::text FROM collection_statistics WHERE collection_id = \(collection.id)) AS stored_lengths,
              (SELECT count(*) FROM terms t FULL JOIN (SELECT * FROM term_statistics WHERE collection_id = \(collection.id) AND document_frequency <> 0) s
                  ON s.lexeme = t.lexeme WHERE s.document_frequency IS DISTINCT FROM t.df) AS frequency_mismatches,
              (SELECT coalesce(sum(df), 0)::bigint FROM terms) AS postings_expected,
              (SELECT count(*) FROM postings p JOIN live ON live.id = p.document_id WHERE p.collection_id = \(collection.id)) AS postings_live,
              (SELECT count(*) FROM postings p WHERE p.collection_id = \(collection.id)) AS postings_all,
              (SELECT count(*) FROM (
                   SELECT live.id, dp.lexeme, dp.impact FROM live
                   JOIN collections AS k ON k.id = live.collection_id
                   JOIN collection_statistics AS s ON s.collection_id = live.collection_id
                   CROSS JOIN LATERAL document_postings(live.search_vector, live.class_lengths, k.bm25_class_weights,
                                                        k.bm25_k1, k.bm25_b, s.reference_length) AS dp
                   OFFSET 0) AS fresh
                 JOIN postings p ON p.collection_id = \(collection.id) AND p.lexeme = fresh.lexeme AND p.document_id = fresh.id
               WHERE p.impact <> fresh.impact) AS impact_mismatches
            """).single()
        var problems: [String] = []
        let documents = try row.decode(Int.self, column: "documents")
        if try row.decode(Int?.self, column: "stored_documents") ?? 0 != documents { problems.append("document count") }
        if documents > 0, try row.decode(String?.self, column: "lengths") != row.decode(String?.self, column: "stored_lengths") {
            problems.append("class lengths")
        }
        let mismatches = try row.decode(Int.self, column: "frequency_mismatches")
        if mismatches > 0 { problems.append("\(mismatches) document frequencies") }
        let expected = try row.decode(Int.self, column: "postings_expected")
        if try row.decode(Int.self, column: "postings_live") != expected || row.decode(Int.self, column: "postings_all") != expected {
            problems.append("postings")
        }
        let stale = try row.decode(Int.self, column: "impact_mismatches")
        if stale > 0 { problems.append("\(stale) impacts") }
        return problems
    }
}
