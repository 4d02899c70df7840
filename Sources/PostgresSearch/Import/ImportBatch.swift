import DocumentSources
import Foundation
import PostgresClient
import SearchCore

/// Records `number * batchSize ..< (number + 1) * batchSize` of the input (counting every record, good or
/// bad), so the same input always splits into the same batches and a checkpoint can name them.
struct ImportBatch: Sendable {
    struct Entry: Sendable {
        let ordinal: Int64
        let file: String
        let line: Int
        let id: String
        let json: String
    }

    let number: Int64
    var entries: [Entry] = []
    /// Problems the reader found (parse, validation, duplicates).
    var problems: [RecordProblem] = []
    var recordCount = 0
}

/// Counters shared by the reader and the writers, and the decision to stop at `--max-errors`.
actor ImportLedger {
    let maximumProblems: Int
    let started: ContinuousClock.Instant
    let totalBytes: Int?
    private(set) var problems: Int
    private(set) var written: Int
    private(set) var records = 0
    private(set) var bytesRead = 0
    private(set) var stopped = false
    private(set) var firstSearchable: ContinuousClock.Instant?

    init(maximumProblems: Int, problems: Int, written: Int, totalBytes: Int?, started: ContinuousClock.Instant) {
        self.maximumProblems = maximumProblems
        self.problems = problems
        self.written = written
        self.totalBytes = totalBytes
        self.started = started
    }

    /// The reader's position: records read and on-disk bytes consumed.
    func read(records: Int, bytes: Int) {
        self.records = records
        self.bytesRead = bytes
    }

    func snapshot(_ phase: ImportProgress.Phase) -> ImportProgress {
        ImportProgress(
            phase: phase, records: records, documentsWritten: written, problems: problems, bytesRead: bytesRead,
            totalBytes: totalBytes, elapsed: .now - started)
    }

    /// Counts a batch's problems; false (and the import stops) when they take it over the limit.
    /// A batch without problems is always admitted: batches handed on before the limit was reached finish.
    func admit(_ count: Int) -> Bool {
        guard count > 0 else { return true }
        problems += count
        if problems > maximumProblems { stopped = true }
        return !stopped
    }

    func committed(written count: Int, searchable: Bool) {
        written += count
        if searchable, count > 0, firstSearchable == nil { firstSearchable = .now }
    }

    func published() {
        firstSearchable = firstSearchable ?? .now
    }
}

/// Writes batches on one connection: COPY into a session-local table, then one set-based statement into
/// `documents` (incremental) or into the job's staging table with vectors computed (bulk), and the
/// checkpoint, all in one transaction. A document the database refuses is found by halving the batch
/// under savepoints, so its neighbours still land.
struct ImportBatchWriter {
    let connection: PostgresConnection
    let collection: UUID
    let job: UUID
    let mode: ImportMode
    let stagingTable: String?

    private struct StoppedAtLimit: Error {}

    func prepare() async throws {
        try await connection.query("""
            CREATE TEMP TABLE IF NOT EXISTS import_batch (
                ordinal BIGINT NOT NULL, external_id TEXT NOT NULL, document JSONB NOT NULL
            ) ON COMMIT DELETE ROWS
            """)
    }

    /// Writes and checkpoints the batch; false when its problems took the import over the limit, in which
    /// case nothing of it was kept.
    func write(_ batch: ImportBatch, ledger: ImportLedger, report: @Sendable (RecordProblem) -> Void) async throws -> Bool {
        do {
            let written = try await connection.withTransaction { connection in
                _ = try await connection.copyIn("COPY pg_temp.import_batch (ordinal, external_id, document) FROM STDIN") { writer in
                    for entry in batch.entries {
                        try await writer.writeRow([String(entry.ordinal), entry.id, entry.json])
                    }
                }
                var refused: [(ordinal: Int64, error: PostgresError)] = []
                let written = try await insert(batch.entries.map(\.ordinal)[...], refused: &refused)
                let problems = refused.compactMap { failure in
                    batch.entries.first { $0.ordinal == failure.ordinal }.map { entry in
                        let code: DocumentProblem.Code = failure.error.code?.errorClass == "54" ? .vectorTooLarge : .invalidJSON
                        return RecordProblem(
                            file: entry.file, line: entry.line, id: entry.id, code: .document(code),
                            reason: DocumentProblem.describe(code) + ": " + failure.error.message)
                    }
                }
                problems.forEach(report)
                guard await ledger.admit(problems.count) else { throw StoppedAtLimit() }
                try await CollectionJob.recordBatch(
                    job: job, batch: batch.number, records: batch.recordCount, written: mode == .incremental ? written : 0,
                    problems: batch.problems.count + problems.count, staged: mode == .bulk ? written : 0,
                    on: connection)
                return written
            }
            await ledger.committed(written: mode == .incremental ? written : 0, searchable: mode == .incremental)
            return true
        } catch is StoppedAtLimit {
            return false
        }
    }

    private func insert(_ ordinals: ArraySlice<Int64>, refused: inout [(ordinal: Int64, error: PostgresError)]) async throws -> Int {
        guard let low = ordinals.first, let high = ordinals.last else { return 0 }
        try await connection.query("SAVEPOINT import_rows")
        do {
            let count = try await connection.query(statement(from: low, through: high)).affectedRows
            try await connection.query("RELEASE SAVEPOINT import_rows")
            return count
        } catch let error as PostgresError where PostgresSearchEngine.isDocumentError(error) {
            try await connection.query("ROLLBACK TO SAVEPOINT import_rows")
            guard ordinals.count > 1 else {
                refused.append((low, error))
                return 0
            }
            let middle = ordinals.startIndex + ordinals.count / 2
            let first = try await insert(ordinals[..<middle], refused: &refused)
            return first + (try await insert(ordinals[middle...], refused: &refused))
        }
    }

    private func statement(from low: Int64, through high: Int64) -> PostgresQuery {
        switch mode {
        case .incremental:
            // Unchanged documents are not rewritten, so importing the same file again costs little.
            return """
                INSERT INTO documents (collection_id, external_id, document)
                SELECT \(collection), b.external_id, b.document FROM pg_temp.import_batch b
                WHERE b.ordinal BETWEEN \(low) AND \(high)
                ORDER BY b.external_id
                ON CONFLICT (collection_id, external_id) DO UPDATE SET document = EXCLUDED.document, deleted_at = NULL
                WHERE documents.document IS DISTINCT FROM EXCLUDED.document OR documents.deleted_at IS NOT NULL
                """
        case .bulk:
            // The staging table's name is program-made (import_staging_<32 hex>), checked by the table's constraint.
            // Settings are read once and the vectors computed set-based: what document_search_vectors() does per row.
            return """
                INSERT INTO \(unsafeRaw: stagingTable ?? "import_staging_missing")
                    (ordinal, external_id, document, search_vector, stop_vector, class_lengths)
                SELECT b.ordinal, b.external_id, b.document, v.search_vector, v.stop_vector, v.class_lengths
                FROM pg_temp.import_batch b
                CROSS JOIN collection_analysis(\(collection)) AS a
                CROSS JOIN LATERAL analysed_document(a.config, a.without_stop_words, a.field_names, a.field_weights, b.document) AS v
                WHERE b.ordinal BETWEEN \(low) AND \(high)
                """
        }
    }
}
