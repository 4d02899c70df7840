import Foundation
import PostgresClient

/// The bulk path's staging table and its publication.
///
/// Rows are staged in an unlogged table of the job's own (`import_staging_<job id hex>`), vectors already
/// computed and document ids already drawn, where searches never look. Publishing is one transaction: the
/// staged rows go into `documents` with `loupe.bulk_collection` set (the vector trigger keeps the staged
/// vectors, the statistics triggers leave this collection alone), then the collection's statistics and
/// impacts are built in one pass. Searches see the collection as it was until that commit, and all of the
/// import after it. Other sessions' writes keep their own per-statement statistics; the collection row is
/// held FOR SHARE so its settings cannot change under the staged vectors.
///
/// The publication is one connection's work. When the collection holds no documents, a second connection
/// meanwhile computes the postings (term frequencies and lengths, sorted in index order) and document
/// frequencies from the staged rows (`PreparedPostings`); once the rows are in and the collection's live
/// documents are checked to be exactly the staged ones, the publication writes those instead of computing them
/// from `documents` (`rebuild_search_statistics`, the path for every other case). Both give the same rows.
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
                search_vector TSVECTOR, stop_vector TSVECTOR, class_lengths INTEGER[],
                id UUID NOT NULL DEFAULT gen_random_uuid()
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
        try await PreparedPostings(staging: name).drop(on: pool)
        try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(name)"))
    }

    /// Moves the staged rows into `documents`, rebuilds the collection's statistics and completes the job,
    /// in one transaction. Returns the documents inserted or changed, and how long each step took.
    func publish(job: CollectionJob, staging name: String) async throws -> (written: Int, steps: PublicationSteps) {
        guard Self.isStagingTableName(name) else { throw ImportError("not a staging table name: \(name)") }
        // A job staged before document ids were drawn at staging gets them now.
        try await pool.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(name) ADD COLUMN IF NOT EXISTS id UUID NOT NULL DEFAULT gen_random_uuid()"))
        let prepared = PreparedPostings(staging: name)
        try await prepared.drop(on: pool)
        let published = try await pool.withTransaction { connection in
            // The rebuild sorts and aggregates millions of postings: give it the memory the server grants bulk
            // maintenance (CREATE INDEX and the like) rather than a query's, so it does not spill to disk.
            try await connection.query("SELECT set_config('work_mem', current_setting('maintenance_work_mem'), true)")
            let settings = try await connection.query("""
                SELECT c.updated_at > \(job.createdAt)
                       OR EXISTS (SELECT 1 FROM collection_fields f
                                  WHERE f.collection_id = c.id AND greatest(f.created_at, f.updated_at) > \(job.createdAt))
                       AS changed
                FROM collections c WHERE c.id = \(collection) AND c.deleted_at IS NULL
                FOR SHARE OF c
                """)
            guard let row = settings.first else { throw ImportError("the collection was deleted during the import") }
            let changed = try row.decode(Bool.self, column: "changed")
            if changed {
                // Fields or language may have changed since the rows were staged: compute them again.
                try await connection.query("""
                    UPDATE \(unsafeRaw: name) AS s
                    SET (search_vector, stop_vector, class_lengths) =
                        (SELECT v.search_vector, v.stop_vector, v.class_lengths FROM document_search_vectors(\(collection), s.document) AS v)
                    """)
            }
            // The collection's existing documents, soft-deleted ones too (an upsert may revive them), wait for the
            // publication (statistics are rebuilt from them). Locked in id order, the order writers lock them in,
            // so a writer of several of them waits instead of deadlocking.
            let existing = try await connection.query("""
                SELECT count(*) AS n FROM (
                    SELECT 1 FROM documents WHERE collection_id = \(collection) ORDER BY external_id FOR NO KEY UPDATE) AS locked
                """).single().decode(Int.self, column: "n")
            // Settings are held FOR SHARE from here on; an empty collection's postings can come from the staged rows.
            let preparing = existing == 0 && !changed && pool.options.maximumConnections >= 2
            async let preparation: Int? = preparing ? prepared.create(on: pool, collection: collection) : nil
            try await connection.query("SELECT set_config('loupe.bulk_collection', \(collection.uuidString.lowercased()), true)")
            let documentsStarted = ContinuousClock.now
            // inserted counts new rows (xmax = 0), apart from rows an ON CONFLICT updated in place. In id order, as
            // every writer writes: a new document is held from its insertion until commit, so a publication in file
            // order and an application upsert of the same new documents deadlocked, each holding what the other
            // waited for (StatisticsLockTests). The sort costs up to a tenth of the move, ~2% of an import
            // (bench/results/import-levers).
            let counts = try await connection.query("""
                WITH moved AS (
                    INSERT INTO documents (id, collection_id, external_id, document, search_vector, stop_vector, class_lengths)
                    SELECT s.id, \(collection), s.external_id, s.document, s.search_vector, s.stop_vector, s.class_lengths
                    FROM \(unsafeRaw: name) AS s
                    ORDER BY s.external_id
                    ON CONFLICT (collection_id, external_id) DO UPDATE
                        SET document = EXCLUDED.document, search_vector = EXCLUDED.search_vector,
                            stop_vector = EXCLUDED.stop_vector, class_lengths = EXCLUDED.class_lengths, deleted_at = NULL
                        WHERE documents.document IS DISTINCT FROM EXCLUDED.document OR documents.deleted_at IS NOT NULL
                           OR documents.search_vector IS DISTINCT FROM EXCLUDED.search_vector
                    RETURNING xmax = 0 AS inserted
                )
                SELECT count(*) AS written, count(*) FILTER (WHERE inserted) AS inserted FROM moved
                """).single()
            let written = try counts.decode(Int.self, column: "written")
            let inserted = try counts.decode(Int.self, column: "inserted")
            let statisticsStarted = ContinuousClock.now
            // Preparing is a shortcut: if it failed (say, no second connection came free), rebuild from documents.
            let staged = try? await preparation
            let waited = ContinuousClock.now - statisticsStarted
            var fromPrepared = false
            if let staged {
                fromPrepared = try await prepared.publish(into: collection, staged: staged, inserted: inserted, on: connection)
            }
            if !fromPrepared {
                try await connection.query("SELECT rebuild_search_statistics(\(collection))")
            }
            let steps = PublicationSteps(
                documents: statisticsStarted - documentsStarted, waitingForPostings: waited,
                statistics: .now - statisticsStarted - waited, preparedPostings: fromPrepared)
            try await connection.query("""
                UPDATE collection_jobs SET documents_written = documents_written + \(written), state = 'completed'
                WHERE id = \(job.id)
                """)
            return (written, steps)
        }
        try await dropStaging(name)
        return published
    }
}
