import Foundation
import PostgresClient

/// One long job on a collection (an import or a reindex) and its checkpoint, as stored in `collection_jobs`.
/// Every batch commits together with its checkpoint, so a job killed at any point resumes from there.
struct CollectionJob: Sendable {
    enum Kind: String, Sendable { case `import`, reindex }

    let id: UUID
    let collectionID: UUID
    let kind: Kind
    let mode: String
    let batchSize: Int
    let createdAt: Date
    /// Every batch below this is committed.
    var nextBatch: Int64
    /// Committed batches at or above `nextBatch`.
    var doneBatches: Set<Int64>
    var position: String?
    var recordsDone: Int
    var documentsWritten: Int
    var problems: Int
    var stagingTable: String?
    var stagedRows: Int

    func isDone(batch: Int64) -> Bool { batch < nextBatch || doneBatches.contains(batch) }

    private static let columns: PostgresQuery = """
        id, collection_id, kind, mode, batch_size, created_at, next_batch, done_batches, position, records_done,
        documents_written, problems, staging_table, staged_rows
        """

    init(row: PostgresRow) throws {
        id = try row.decode(UUID.self, column: "id")
        collectionID = try row.decode(UUID.self, column: "collection_id")
        kind = Kind(rawValue: try row.decode(String.self, column: "kind")) ?? .import
        mode = try row.decode(String.self, column: "mode")
        batchSize = try row.decode(Int.self, column: "batch_size")
        createdAt = try row.decode(Date.self, column: "created_at")
        nextBatch = try row.decode(Int64.self, column: "next_batch")
        doneBatches = Set(try row.decode([Int64].self, column: "done_batches"))
        position = try row.decode(String?.self, column: "position")
        recordsDone = try row.decode(Int.self, column: "records_done")
        documentsWritten = try row.decode(Int.self, column: "documents_written")
        problems = try row.decode(Int.self, column: "problems")
        stagingTable = try row.decode(String?.self, column: "staging_table")
        stagedRows = try row.decode(Int.self, column: "staged_rows")
    }

    /// The newest unfinished job of this kind and fingerprint on the collection.
    static func unfinished(
        _ kind: Kind, collection: UUID, fingerprint: String, on pool: PostgresConnectionPool
    ) async throws -> CollectionJob? {
        let rows = try await pool.query("""
            SELECT \(columns) FROM collection_jobs
            WHERE collection_id = \(collection) AND kind = \(kind.rawValue) AND fingerprint = \(fingerprint)
              AND state = 'running'
            ORDER BY created_at DESC LIMIT 1
            """)
        return try rows.first.map(CollectionJob.init(row:))
    }

    /// Marks unfinished jobs of this kind on the collection abandoned; returns their staging tables.
    static func abandonUnfinished(_ kind: Kind, collection: UUID, on pool: PostgresConnectionPool) async throws -> [String] {
        let rows = try await pool.query("""
            UPDATE collection_jobs SET state = 'abandoned'
            WHERE collection_id = \(collection) AND kind = \(kind.rawValue) AND state = 'running'
            RETURNING staging_table
            """)
        return try rows.compactMap { try $0.decode(String?.self, column: "staging_table") }
    }

    static func start(
        id: UUID, _ kind: Kind, collection: UUID, mode: String, fingerprint: String, batchSize: Int, stagingTable: String?,
        on pool: PostgresConnectionPool
    ) async throws -> CollectionJob {
        let row = try await pool.query("""
            INSERT INTO collection_jobs (id, collection_id, kind, mode, fingerprint, batch_size, staging_table)
            VALUES (\(id), \(collection), \(kind.rawValue), \(mode), \(fingerprint), \(batchSize), \(stagingTable))
            RETURNING \(columns)
            """).single()
        return try CollectionJob(row: row)
    }

    /// Records a committed batch inside the batch's own transaction, folding contiguous batches into
    /// `next_batch` so the row stays small.
    static func recordBatch(
        job: UUID, batch: Int64, records: Int, written: Int, problems: Int, staged: Int, position: String? = nil,
        on connection: PostgresConnection
    ) async throws {
        let row = try await connection.query("""
            UPDATE collection_jobs
            SET done_batches = array_append(done_batches, \(batch)), records_done = records_done + \(records),
                documents_written = documents_written + \(written), problems = problems + \(problems),
                staged_rows = staged_rows + \(staged), position = coalesce(\(position), position)
            WHERE id = \(job)
            RETURNING next_batch, done_batches
            """).single()
        let start = try row.decode(Int64.self, column: "next_batch")
        var done = Set(try row.decode([Int64].self, column: "done_batches"))
        var next = start
        while done.remove(next) != nil { next += 1 }
        guard next != start else { return }
        try await connection.query("""
            UPDATE collection_jobs SET next_batch = \(next), done_batches = \(done.sorted()) WHERE id = \(job)
            """)
    }

    /// Counts documents a batch rewrote, inside the batch's own transaction (for jobs whose batches commit out
    /// of order and record their checkpoint with `recordCheckpoint`).
    static func recordWritten(job: UUID, written: Int, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE collection_jobs SET documents_written = documents_written + \(written) WHERE id = \(job)")
    }

    /// Moves a keyset job's checkpoint past a run of committed batches: every batch below `nextBatch` is
    /// committed, the last of them ending at `position`, and they held `records` more records.
    static func recordCheckpoint(
        job: UUID, nextBatch: Int64, position: String, records: Int, on pool: PostgresConnectionPool
    ) async throws {
        try await pool.query("""
            UPDATE collection_jobs
            SET next_batch = \(nextBatch), position = \(position), records_done = records_done + \(records)
            WHERE id = \(job)
            """)
    }

    static func complete(_ job: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE collection_jobs SET state = 'completed' WHERE id = \(job)")
    }

    /// Forgets a job's progress (its staging was lost), so it starts over under the same id.
    static func reset(_ job: UUID, on pool: PostgresConnectionPool) async throws {
        try await pool.query("""
            UPDATE collection_jobs
            SET next_batch = 0, done_batches = '{}', position = NULL, records_done = 0, documents_written = 0,
                problems = 0, staged_rows = 0
            WHERE id = \(job)
            """)
    }
}
