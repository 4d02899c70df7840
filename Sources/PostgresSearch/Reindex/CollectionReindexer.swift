import Foundation
public import PostgresClient

/// Recomputes a collection's stored vectors after a change of fields, weights or language, while searches
/// and writes go on.
///
/// Documents are walked by `external_id` (keyset over the collection's unique index), one short
/// transaction per batch. A batch recomputes vectors with `document_search_vectors` and rewrites only the
/// documents whose vectors changed; the statistics triggers keep document frequencies and impacts in step.
/// A document the application writes meanwhile gets its vectors from the trigger, and the rewrite skips a
/// row whose document changed since the vectors were computed (the re-check runs on the row's newest
/// version), so the newest write always wins. Each batch commits with its keyset position in
/// `collection_jobs`, so `resume` continues where a killed run stopped. At the end the reference length is
/// set to the live average and impacts follow, batch by batch (`ImpactRefresh`, the online counterpart of
/// `refresh_search_impacts`).
public struct CollectionReindexer: Sendable {
    public let pool: PostgresConnectionPool
    public let collection: StoredCollection

    /// The GIN indexes of `documents`, each of which a reindex adds entries to: an update that changes an indexed
    /// column is never HOT, so the attribute index takes every rewritten row too, although its JSON did not change
    /// (after a reindex of 63,955 documents its pending list held all of them, which every filtered search reads).
    /// A fixed list, so the names are safe to splice into DDL.
    public static let ginIndexes = ["idx_documents_document", "idx_documents_search_vector", "idx_documents_stop_vector"]

    public init(pool: PostgresConnectionPool, collection: StoredCollection) {
        self.pool = pool
        self.collection = collection
    }

    // MARK: rewrite

    public func run(
        _ options: ReindexOptions, progress: @escaping @Sendable (ReindexProgress) -> Void = { _ in },
        note: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> ReindexSummary {
        guard options.batchSize >= 1, options.batchSize <= 100_000 else { throw ImportError("the batch size must be 1 to 100,000") }
        let started = ContinuousClock.now
        var job: CollectionJob?
        if options.resume {
            job = try await CollectionJob.unfinished(.reindex, collection: collection.id, fingerprint: "reindex", on: pool)
            if job == nil { note("nothing to resume; reindexing from the beginning") }
        }
        let resumed = job != nil
        if job == nil {
            _ = try await CollectionJob.abandonUnfinished(.reindex, collection: collection.id, on: pool)
            job = try await CollectionJob.start(
                id: UUID(), .reindex, collection: collection.id, mode: "online", fingerprint: "reindex",
                batchSize: options.batchSize, stagingTable: nil, on: pool)
        }
        guard let job else { throw ImportError("the reindex job could not be started") }
        let total = try await documentCount()
        var after = job.position ?? ""
        var documents = job.recordsDone
        var rewritten = 0
        var sinceClean = 0
        var cleaned = 0
        // Batches run `parallelism` at a time, each on its own connection: a batch's statistics trigger
        // rewrites postings before it takes the statistics rows (migration 0012), so two batches overlap.
        // They can commit out of order, so the checkpoint moves only past a run of committed batches: a
        // resumed run may redo a few, which rewrite nothing, but never skips one.
        let width = max(1, min(options.parallelism, pool.options.maximumConnections))
        var nextBatch = job.nextBatch
        var checkpointed = job.nextBatch
        var dispatched: [Int64: (last: String, seen: Int)] = [:]
        var committed: Set<Int64> = []
        var retried = 0
        try await withThrowingTaskGroup(of: (batch: Int64, seen: Int, rewritten: Int, retries: Int).self) { group in
            var inFlight = 0
            var exhausted = false
            while true {
                while !exhausted && inFlight < width {
                    let wait = options.throttle.delay(documents: documents - job.recordsDone, elapsed: .now - started)
                    if wait > .zero { try await Task.sleep(for: wait) }
                    guard let bound = try await nextBound(after: after, batchSize: options.batchSize) else {
                        exhausted = true
                        break
                    }
                    let (batch, from) = (nextBatch, after)
                    dispatched[batch] = bound
                    nextBatch += 1
                    after = bound.last
                    inFlight += 1
                    group.addTask {
                        let (written, retries) = try await rewrite(after: from, through: bound.last, job: job.id)
                        return (batch, bound.seen, written, retries)
                    }
                }
                guard let step = try await group.next() else { break }
                inFlight -= 1
                committed.insert(step.batch)
                documents += step.seen
                rewritten += step.rewritten
                retried += step.retries
                sinceClean += step.rewritten
                var records = 0
                var position: String?
                while committed.remove(checkpointed) != nil, let done = dispatched.removeValue(forKey: checkpointed) {
                    records += done.seen
                    position = done.last
                    checkpointed += 1
                }
                if let position {
                    try await CollectionJob.recordCheckpoint(
                        job: job.id, nextBatch: checkpointed, position: position, records: records, on: pool)
                }
                progress(ReindexProgress(documents: documents, totalDocuments: max(total, documents), stale: rewritten, elapsed: .now - started))
                if sinceClean >= options.cleanPendingListEvery {
                    cleaned += try await cleanPendingLists()
                    sinceClean = 0
                }
            }
        }
        cleaned += try await cleanPendingLists()
        let rewriting = ContinuousClock.now - started
        // A change of language or fields can move the average length the impacts are computed with.
        let refreshStarted = ContinuousClock.now
        try await ImpactRefresh(pool: pool, collection: collection.id).run()
        let impactRefresh = ContinuousClock.now - refreshStarted
        try await pool.withConnection { try await CollectionJob.complete(job.id, on: $0) }
        let packing = try await PostingsPacker(pool: pool).packStale(only: collection.id).first
        return ReindexSummary(
            resumed: resumed, documents: documents - job.recordsDone, rewritten: rewritten, pendingPagesCleaned: cleaned,
            retried: retried, elapsed: .now - started, rewriting: rewriting, impactRefresh: impactRefresh, packing: packing)
    }

    /// Rewrites the stale live documents of the keyset range `(after, last]`; returns how many it rewrote and
    /// how many times a transaction was retried.
    ///
    /// The batch first locks its documents, skipping those a writer holds, so it never waits for a writer while
    /// holding rows: rewriting them in its plan's order, it deadlocked with an application statement that
    /// writes several documents in another order. Once the batch has committed, holding nothing, each skipped
    /// document is rewritten in a transaction of its own, waiting for its writer. Only then does the batch
    /// count as done, so a checkpoint never passes a document left stale.
    private func rewrite(after: String, through last: String, job: UUID) async throws -> (written: Int, retries: Int) {
        let (batch, retries) = try await retryingLostRaces {
            try await pool.withTransaction { connection in
                let (held, skipped) = try await LiveDocumentRange(collection: collection.id, after: after, last: last)
                    .lock(.noKeyUpdate, on: connection)
                let written = held.isEmpty ? 0 : try await connection.query(rewriteStatement(documents: held)).affectedRows
                // Last: the job's row is shared by the batches running at once.
                try await CollectionJob.recordWritten(job: job, written: written, on: connection)
                return (written: written, skipped: skipped)
            }
        }
        var written = batch.written
        var retried = retries
        for document in batch.skipped {
            let (one, retries) = try await retryingLostRaces {
                try await pool.withTransaction { connection in
                    let written = try await connection.query(rewriteStatement(documents: [document])).affectedRows
                    try await CollectionJob.recordWritten(job: job, written: written, on: connection)
                    return written
                }
            }
            written += one
            retried += retries
        }
        return (written, retried)
    }

    /// Rewrites those of the live `documents` whose vectors are stale. The vectors are computed in a CTE,
    /// set-based (what `document_search_vectors()` gives row by row); the outer UPDATE re-checks `document` on
    /// the row it locks, so a concurrent write is never undone.
    private func rewriteStatement(documents: [UUID]) -> PostgresQuery {
        """
        WITH fresh AS MATERIALIZED (
            SELECT d.id, d.document, v.search_vector, v.stop_vector, v.class_lengths
            FROM documents d
            CROSS JOIN collection_analysis(\(collection.id)) AS a
            CROSS JOIN LATERAL analysed_document(a.config, a.without_stop_words, a.field_names, a.field_weights, d.document) AS v
            WHERE d.collection_id = \(collection.id) AND d.id = ANY (\(documents)) AND d.deleted_at IS NULL
        )
        UPDATE documents AS d
        SET search_vector = f.search_vector, stop_vector = f.stop_vector, class_lengths = f.class_lengths
        FROM fresh AS f
        WHERE d.id = f.id AND d.document = f.document AND d.deleted_at IS NULL
          AND (d.search_vector <> f.search_vector OR d.stop_vector <> f.stop_vector OR d.class_lengths <> f.class_lengths)
        """
    }

    /// The last external id and the size of the batch of up to `batchSize` documents after `after`; nil when
    /// there are none.
    private func nextBound(after: String, batchSize: Int) async throws -> (last: String, seen: Int)? {
        let row = try await pool.query("""
            SELECT max(external_id) AS last, count(*) AS n FROM (
                SELECT external_id FROM documents
                WHERE collection_id = \(collection.id) AND external_id > \(after)
                ORDER BY external_id LIMIT \(batchSize)) AS batch
            """).single()
        guard let last = try row.decode(String?.self, column: "last") else { return nil }
        return (last, try row.decode(Int.self, column: "n"))
    }

    private func documentCount() async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM documents WHERE collection_id = \(collection.id)")
            .single().decode(Int.self, column: "n")
    }

    // MARK: verify

    /// Counts documents whose stored vectors differ from what the settings give now, in keyset batches of
    /// read-only statements; changes nothing.
    public func staleVectors(
        batchSize: Int = 2_000, examples: Int = 10, progress: @escaping @Sendable (ReindexProgress) -> Void = { _ in }
    ) async throws -> StaleVectorReport {
        let started = ContinuousClock.now
        let total = try await documentCount()
        var after = ""
        var report = StaleVectorReport(documents: 0, stale: 0, examples: [], elapsed: .zero)
        while true {
            let rows = try await pool.query("""
                WITH batch AS (
                    SELECT d.external_id, d.document, d.search_vector, d.stop_vector, d.class_lengths, d.deleted_at
                    FROM documents d
                    WHERE d.collection_id = \(collection.id) AND d.external_id > \(after)
                    ORDER BY d.external_id LIMIT \(max(1, batchSize))
                )
                SELECT b.external_id,
                       b.deleted_at IS NULL AND (b.search_vector <> v.search_vector OR b.stop_vector <> v.stop_vector
                                                 OR b.class_lengths <> v.class_lengths) AS stale
                FROM batch b
                CROSS JOIN collection_analysis(\(collection.id)) AS a
                CROSS JOIN LATERAL analysed_document(a.config, a.without_stop_words, a.field_names, a.field_weights, b.document) AS v
                ORDER BY b.external_id
                """)
            guard let last = rows.last else { break }
            after = try last.decode(String.self, column: "external_id")
            report.documents += rows.count
            for row in rows where try row.decode(Bool.self, column: "stale") {
                report.stale += 1
                if report.examples.count < examples { report.examples.append(try row.decode(String.self, column: "external_id")) }
            }
            progress(ReindexProgress(
                documents: report.documents, totalDocuments: max(total, report.documents), stale: report.stale, elapsed: .now - started))
        }
        report.elapsed = .now - started
        return report
    }

    // MARK: GIN maintenance

    /// The pending lists of the search indexes (sizes need the pgstattuple extension; without it, nil).
    public func pendingLists() async throws -> [PendingListState] {
        // Wherever it was installed, on the search path or not: the schema as the server quotes it.
        let schema = try await pool.query("""
            SELECT quote_ident(n.nspname) AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'pgstattuple'
            """).first?.decode(String.self, column: "schema")
        var states: [PendingListState] = []
        for index in Self.ginIndexes {
            guard let schema else {
                states.append(PendingListState(index: index, pages: nil, tuples: nil))
                continue
            }
            let row = try await pool.query("""
                SELECT pending_pages, pending_tuples FROM \(unsafeRaw: schema).pgstatginindex(\(index)::regclass)
                """).single()
            states.append(PendingListState(
                index: index, pages: try row.decode(Int.self, column: "pending_pages"),
                tuples: try row.decode(Int.self, column: "pending_tuples")))
        }
        return states
    }

    /// Merges the pending lists into the indexes (`gin_clean_pending_list`); returns the pages cleaned.
    @discardableResult
    public func cleanPendingLists() async throws -> Int {
        var pages = 0
        for index in Self.ginIndexes {
            pages += try await pool.query("SELECT gin_clean_pending_list(\(index)::regclass) AS pages")
                .single().decode(Int.self, column: "pages")
        }
        return pages
    }

    /// Rebuilds the search indexes with `REINDEX INDEX CONCURRENTLY`: reads and writes go on meanwhile. A
    /// failed rebuild leaves an invalid `_ccnew` copy behind, which is dropped.
    public func rebuildIndexes(note: @Sendable (String) -> Void = { _ in }) async throws {
        for index in Self.ginIndexes {
            note("REINDEX INDEX CONCURRENTLY \(index)")
            try await pool.withConnection { connection in
                do {
                    try await connection.unsafeExecuteScript("REINDEX INDEX CONCURRENTLY \(index)")
                } catch {
                    try? await connection.unsafeExecuteScript("DROP INDEX CONCURRENTLY IF EXISTS \(index)_ccnew")
                    throw error
                }
            }
        }
    }
}
