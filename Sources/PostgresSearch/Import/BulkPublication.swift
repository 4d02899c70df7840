import Foundation
import PostgresClient

/// The bulk path's staging table and its publication.
///
/// Rows are staged in an unlogged table of the job's own (`import_staging_<job id hex>`), vectors already
/// computed, where searches never look. Publishing is one transaction: the staged rows go into
/// `documents` with `loupe.bulk_collection` set (the vector trigger keeps the staged vectors, the statistics
/// triggers leave this collection alone), then `rebuild_search_statistics` builds the collection's
/// statistics and impacts in one pass. Searches see the collection as it was until that commit, and all
/// of the import after it. Other sessions' writes keep their own per-statement statistics; the collection
/// row is held FOR SHARE so its settings cannot change under the staged vectors.
struct BulkPublication {
    let pool: PostgresConnectionPool
    let collection: UUID

    static func stagingTableName(job: UUID) -> String {
        "import_staging_" + job.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// Only names this program makes are ever spliced into SQL.
    static func isStagingTableName(_ name: String) -> Bool {
        let prefix = "import_staging_"
        guard name.hasPrefix(prefix) else { return false }
        let hex = name.dropFirst(prefix.count)
        return hex.count == 32 && hex.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    func createStaging(_ name: String) async throws {
        guard Self.isStagingTableName(name) else { throw ImportError("not a staging table name: \(name)") }
        // Unlogged: no WAL for rows that are written once and read once. A server crash empties it, which
        // resuming detects (staged_rows no longer matches) and answers by staging again.
        try await pool.query(PostgresQuery(unsafeSQL: """
            CREATE UNLOGGED TABLE IF NOT EXISTS \(name) (
                ordinal BIGINT NOT NULL, external_id TEXT NOT NULL, document JSONB NOT NULL,
                search_vector TSVECTOR, stop_vector TSVECTOR, class_lengths INTEGER[]
            )
            """))
    }

    /// True when the staging table holds exactly the rows the checkpoint says were staged.
    func stagingIsIntact(_ name: String, expectedRows: Int) async throws -> Bool {
        guard Self.isStagingTableName(name) else { return false }
        let exists = try await pool.query("SELECT to_regclass(\(name)) IS NOT NULL AS present").single()
        guard try exists.decode(Bool.self, column: "present") else { return false }
        let count = try await pool.query(PostgresQuery(unsafeSQL: "SELECT count(*) AS n FROM \(name)")).single()
        return try count.decode(Int.self, column: "n") == expectedRows
    }

    func dropStaging(_ name: String) async throws {
        guard Self.isStagingTableName(name) else { return }
        try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(name)"))
    }

    /// Moves the staged rows into `documents`, rebuilds the collection's statistics and completes the job,
    /// in one transaction. Returns the documents inserted or changed.
    func publish(job: CollectionJob, staging name: String) async throws -> Int {
        guard Self.isStagingTableName(name) else { throw ImportError("not a staging table name: \(name)") }
        let written = try await pool.withTransaction { connection in
            let settings = try await connection.query("""
                SELECT c.updated_at > \(job.createdAt)
                       OR EXISTS (SELECT 1 FROM collection_fields f
                                  WHERE f.collection_id = c.id AND greatest(f.created_at, f.updated_at) > \(job.createdAt))
                       AS changed
                FROM collections c WHERE c.id = \(collection) AND c.deleted_at IS NULL
                FOR SHARE OF c
                """)
            guard let row = settings.first else { throw ImportError("the collection was deleted during the import") }
            if try row.decode(Bool.self, column: "changed") {
                // Fields or language may have changed since the rows were staged: compute them again.
                try await connection.query("""
                    UPDATE \(unsafeRaw: name) AS s
                    SET (search_vector, stop_vector, class_lengths) =
                        (SELECT v.search_vector, v.stop_vector, v.class_lengths FROM document_search_vectors(\(collection), s.document) AS v)
                    """)
            }
            // The collection's existing documents wait for the publication (statistics are rebuilt from them).
            try await connection.query(
                "SELECT count(*) FROM (SELECT 1 FROM documents WHERE collection_id = \(collection) AND deleted_at IS NULL FOR NO KEY UPDATE) AS locked")
            try await connection.query("SELECT set_config('loupe.bulk_collection', \(collection.uuidString.lowercased()), true)")
            let written = try await connection.query("""
                INSERT INTO documents (collection_id, external_id, document, search_vector, stop_vector, class_lengths)
                SELECT \(collection), s.external_id, s.document, s.search_vector, s.stop_vector, s.class_lengths
                FROM \(unsafeRaw: name) AS s
                ON CONFLICT (collection_id, external_id) DO UPDATE
                    SET document = EXCLUDED.document, search_vector = EXCLUDED.search_vector,
                        stop_vector = EXCLUDED.stop_vector, class_lengths = EXCLUDED.class_lengths, deleted_at = NULL
                    WHERE documents.document IS DISTINCT FROM EXCLUDED.document OR documents.deleted_at IS NOT NULL
                       OR documents.search_vector IS DISTINCT FROM EXCLUDED.search_vector
                """).affectedRows
            try await connection.query("SELECT rebuild_search_statistics(\(collection))")
            try await connection.query("""
                UPDATE collection_jobs SET documents_written = documents_written + \(written), state = 'completed'
                WHERE id = \(job.id)
                """)
            return written
        }
        try await dropStaging(name)
        return written
    }
}
