import Foundation
import PostgresClient

/// The live documents of a collection in the keyset range `(after, last]` of `external_id`, as the online jobs
/// (`CollectionReindexer`, `ImpactRefresh`) walk it in short batches.
struct LiveDocumentRange {
    let collection: UUID
    let after: String
    let last: String

    /// Row locks a batch takes, a fixed list so the clause is safe to splice.
    enum Strength: String {
        /// Enough to keep writers away while the batch rewrites the documents' postings.
        case share = "FOR SHARE"
        /// What an UPDATE of the documents themselves takes.
        case noKeyUpdate = "FOR NO KEY UPDATE"
    }

    /// Locks the range's documents in the current transaction without waiting: `held` are locked, `skipped` are
    /// those a writer holds. A batch that never waits while holding rows cannot deadlock with writers that lock
    /// several documents in another order; the caller deals with `skipped` once it holds nothing.
    func lock(_ strength: Strength, on connection: PostgresConnection) async throws -> (held: [UUID], skipped: [UUID]) {
        let held = try await connection.query("""
            SELECT id FROM documents
            WHERE collection_id = \(collection) AND external_id > \(after) AND external_id <= \(last) AND deleted_at IS NULL
            ORDER BY external_id
            \(unsafeRaw: strength.rawValue) SKIP LOCKED
            """).map { try $0.decode(UUID.self, column: "id") }
        let skipped = try await connection.query("""
            SELECT id FROM documents
            WHERE collection_id = \(collection) AND external_id > \(after) AND external_id <= \(last) AND deleted_at IS NULL
              AND NOT (id = ANY (\(held)))
            """).map { try $0.decode(UUID.self, column: "id") }
        return (held, skipped)
    }
}
