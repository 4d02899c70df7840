import Crypto
public import DocumentSources
import Foundation
public import PostgresClient
import SearchCore

/// Loads documents from files into a collection: streamed, in batches, resumable, bulk or incremental.
///
/// - Reading: one record at a time (`RecordReaders`), validated like the HTTP API; batches of
///   `batchSize` records go through a bounded queue to `writers` connections, so memory holds a few
///   batches whatever the input size.
/// - Duplicates: ids are remembered in a session-local table on the reader's connection (flat memory); a
///   later record with an id seen before is a bad record.
/// - Checkpoints: each batch commits with its number in `collection_jobs`; `resume` skips committed
///   batches (re-reading them to rebuild the duplicate check), so nothing is written twice.
/// - Stopping: a batch whose problems take the total over `maximumProblems` is not written; batches
///   already committed stay.
public struct DocumentImporter: Sendable {
    public let pool: PostgresConnectionPool
    public let collection: StoredCollection

    /// `pool` needs `writers + 1` connections.
    public init(pool: PostgresConnectionPool, collection: StoredCollection) {
        self.pool = pool
        self.collection = collection
    }

    public func run(
        _ options: ImportOptions,
        progress: @escaping @Sendable (ImportProgress) -> Void = { _ in },
        problem: @escaping @Sendable (RecordProblem) -> Void = { _ in },
        note: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> ImportSummary {
        guard !options.inputs.isEmpty else { throw ImportError("no input files") }
        guard options.batchSize >= 1, options.batchSize <= 100_000 else { throw ImportError("the batch size must be 1 to 100,000") }
        let started = ContinuousClock.now
        let sizes = options.inputs.map { path in
            path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        }
        let totalBytes: Int? = sizes.contains { $0 == nil } ? nil : sizes.compactMap { $0 }.reduce(0, +)
        let fingerprint = Self.fingerprint(options)

        var job: CollectionJob?
        if options.resume {
            job = try await CollectionJob.unfinished(.import, collection: collection.id, fingerprint: fingerprint, on: pool)
            if job == nil { note("nothing to resume for these inputs; starting from the beginning") }
        }
        let publication = BulkPublication(pool: pool, collection: collection.id)
        if job == nil {
            for table in try await CollectionJob.abandonUnfinished(.import, collection: collection.id, on: pool) {
                try await publication.dropStaging(table)
            }
        } else if let resumed = job, let forced = options.mode, forced.rawValue != resumed.mode {
            note("resuming in \(resumed.mode) mode, the mode the interrupted import started in")
        }
        if let resumed = job, resumed.mode == ImportMode.bulk.rawValue, let staging = resumed.stagingTable,
           !(try await publication.stagingIsIntact(staging, expectedRows: resumed.stagedRows)) {
            note("the staged rows were lost (the database restarted); staging again from the beginning")
            try await CollectionJob.reset(resumed.id, on: pool)
            try await publication.dropStaging(staging)
            try await publication.createStaging(staging)
            job = try await CollectionJob.unfinished(.import, collection: collection.id, fingerprint: fingerprint, on: pool)
        }
        let resumed = job != nil
        let ledger = ImportLedger(
            maximumProblems: options.maximumProblems, problems: job?.problems ?? 0, written: job?.documentsWritten ?? 0,
            totalBytes: totalBytes, started: started)
        let batchSize = job?.batchSize ?? options.batchSize
        let queue = BatchQueue<ImportBatch>(capacity: options.writers)
        var records = 0
        var skippedRecords = 0
        var bytesDone = 0
        var bytesDecoded = 0
        var mode = job.flatMap { ImportMode(rawValue: $0.mode) } ?? options.mode

        // The reader's own connection holds the ids seen so far (session-local, so it needs no cleanup).
        try await pool.withConnection { seen in
            try await seen.query("CREATE TEMP TABLE IF NOT EXISTS import_seen_ids (external_id TEXT PRIMARY KEY)")
            try await seen.query("TRUNCATE pg_temp.import_seen_ids")
            try await withThrowingTaskGroup(of: Void.self) { group in
                var writersStarted = false
                func startWriters(_ job: CollectionJob, _ mode: ImportMode) {
                    writersStarted = true
                    for _ in 0..<max(1, options.writers) {
                        group.addTask {
                            do {
                                try await pool.withConnection { connection in
                                    let writer = ImportBatchWriter(
                                        connection: connection, collection: collection.id, job: job.id, mode: mode,
                                        stagingTable: job.stagingTable)
                                    try await writer.prepare()
                                    while let batch = await queue.take() {
                                        guard try await writer.write(batch, ledger: ledger, report: problem) else {
                                            await queue.fail(ImportStopped())
                                            return
                                        }
                                        progress(await ledger.snapshot(.loading))
                                    }
                                }
                            } catch {
                                await queue.fail(error)
                                throw error
                            }
                        }
                    }
                }

                var batch = ImportBatch(number: 0)
                var batchIDs = Set<String>()
                // Hands the batch on and starts the next; false once the import has stopped.
                func dispatch(_ reader: any RecordReader) async throws -> Bool {
                    defer {
                        batch = ImportBatch(number: batch.number + 1)
                        batchIDs.removeAll(keepingCapacity: true)
                    }
                    await ledger.read(records: records, bytes: bytesDone + reader.bytesRead)
                    let alreadyDone = job?.isDone(batch: batch.number) ?? false
                    // First sightings are kept; ids seen in earlier batches are duplicates.
                    let fresh = Set(try await seen.query("""
                        INSERT INTO pg_temp.import_seen_ids
                        SELECT unnest(\(batch.entries.map(\.id))) ON CONFLICT DO NOTHING RETURNING external_id
                        """).map { try $0.decode(String.self, column: "external_id") })
                    if alreadyDone {
                        skippedRecords += batch.recordCount
                        return true
                    }
                    var kept: [ImportBatch.Entry] = []
                    for entry in batch.entries {
                        if fresh.contains(entry.id) {
                            kept.append(entry)
                        } else {
                            batch.problems.append(RecordProblem(
                                file: entry.file, line: entry.line, id: entry.id, code: .duplicateID,
                                reason: "the id appears earlier in the input"))
                        }
                    }
                    batch.entries = kept
                    if job == nil {
                        let chosen = try await chooseMode(options.mode, firstBatch: batch, reader: reader, totalBytes: totalBytes)
                        mode = chosen
                        job = try await startJob(mode: chosen, fingerprint: fingerprint, batchSize: batchSize)
                    }
                    if !writersStarted, let job, let mode { startWriters(job, mode) }
                    batch.problems.sort { ($0.file, $0.line) < ($1.file, $1.line) }
                    batch.problems.forEach(problem)
                    guard await ledger.admit(batch.problems.count) else { return false }
                    try await queue.put(batch)
                    progress(await ledger.snapshot(.loading))
                    return true
                }

                do {
                    var ordinal: Int64 = 0
                    var lastReader: (any RecordReader)?
                    var stoppedReading = false
                    reading: for path in options.inputs {
                        let reader = try RecordReaders.open(path, format: options.format, idKeys: options.idKeys, limits: options.limits)
                        lastReader = reader
                        while let record = try reader.next() {
                            records += 1
                            batch.recordCount += 1
                            switch record.content {
                            case .document(let document):
                                if batchIDs.insert(document.id).inserted {
                                    batch.entries.append(ImportBatch.Entry(
                                        ordinal: ordinal, file: record.file, line: record.line, id: document.id, json: document.json))
                                } else {
                                    batch.problems.append(RecordProblem(
                                        file: record.file, line: record.line, id: document.id, code: .duplicateID,
                                        reason: "the id appears earlier in the input"))
                                }
                            case .problem(let found):
                                batch.problems.append(found)
                            }
                            ordinal += 1
                            if batch.recordCount == batchSize {
                                guard try await dispatch(reader) else {
                                    stoppedReading = true
                                    break reading
                                }
                            }
                        }
                        bytesDone += reader.bytesRead
                        bytesDecoded += reader.bytesDecoded
                    }
                    if !stoppedReading, batch.recordCount > 0, let lastReader {
                        bytesDone -= lastReader.bytesRead
                        _ = try await dispatch(lastReader)
                        bytesDone += lastReader.bytesRead
                    }
                    await queue.close()
                    try await group.waitForAll()
                } catch is ImportStopped {
                    try await group.waitForAll()
                } catch {
                    await queue.fail(error)
                    throw error
                }
            }
        }

        let stopped = await ledger.stopped
        var publishingTime: Duration?
        var publicationSteps: PublicationSteps?
        var vacuumTime: Duration?
        guard let job, let mode else {
            // Nothing was read at all (empty inputs) or the very first batch stopped the run.
            return ImportSummary(
                jobID: UUID(), mode: mode ?? .incremental, resumed: resumed, records: records, skippedRecords: skippedRecords,
                documentsWritten: 0, problems: await ledger.problems, bytesDecoded: bytesDecoded, elapsed: .now - started,
                firstSearchableAfter: nil, publishingTime: nil, publicationSteps: nil, vacuumTime: nil, completed: !stopped)
        }
        if !stopped {
            progress(await ledger.snapshot(mode == .bulk ? .publishing : .finishing))
            if mode == .bulk, let staging = job.stagingTable {
                let publishing = ContinuousClock.now
                let published = try await publication.publish(job: job, staging: staging)
                publishingTime = .now - publishing
                publicationSteps = published.steps
                await ledger.committed(written: published.written, searchable: false)
                await ledger.published()
            } else {
                try await pool.withConnection { try await CollectionJob.complete(job.id, on: $0) }
                // Impacts use the reference length fixed by the collection's first write; after a load that moved
                // the live average by more than 10 %, recompute them so scores are BM25 with the current average.
                try await ImpactRefresh(pool: pool, collection: collection.id).run(tolerance: 0.1)
            }
            if await ledger.written >= 10_000 || mode == .bulk {
                let vacuuming = ContinuousClock.now
                try await vacuumSearchTables()
                vacuumTime = .now - vacuuming
            }
        }
        // Searches are correct without it; common-term queries are fast again once the packs are rebuilt.
        let packing = stopped ? nil : try await PostingsPacker(pool: pool).packStale(only: collection.id).first
        if packing != nil, let vacuumed = vacuumTime {
            // The build renumbered the collection's documents, and searches look the numbers up index-only.
            let vacuuming = ContinuousClock.now
            try await pool.withConnection { try await $0.unsafeExecuteScript(Self.vacuum("packed_documents")) }
            vacuumTime = vacuumed + (.now - vacuuming)
        }
        let firstSearchable = await ledger.firstSearchable
        return ImportSummary(
            jobID: job.id, mode: mode, resumed: resumed, records: records, skippedRecords: skippedRecords,
            documentsWritten: await ledger.written, problems: await ledger.problems, bytesDecoded: bytesDecoded,
            elapsed: .now - started, firstSearchableAfter: firstSearchable.map { $0 - started }, publishingTime: publishingTime,
            publicationSteps: publicationSteps, vacuumTime: vacuumTime, completed: !stopped, packing: packing)
    }

    /// VACUUM ANALYZE of the tables searches read, `documents` on one connection and the statistics tables on
    /// another (each is one core's work, and the pool holds at least two connections). ANALYZE gives the planner
    /// the new rows. VACUUM merges the GIN pending lists, which every search of those indexes reads in full: after
    /// a bulk import of 63,955 documents they held 1,152 pages, and an attribute filter took 3.5–5.6 ms instead of
    /// ~0.1 ms, a rare word's match 1.3–1.8 ms instead of ~0.2 ms (bench/results/vacuum-after-import). It also sets
    /// the visibility map, so that the postings' index-only scans skip the heap (the packing build reads them).
    private func vacuumSearchTables() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for tables in ["documents", "postings, term_statistics, collection_statistics"] {
                group.addTask { try await pool.withConnection { try await $0.unsafeExecuteScript(Self.vacuum(tables)) } }
            }
            try await group.waitForAll()
        }
    }

    /// VACUUM runs outside a transaction, so through the simple protocol. It never truncates the table: that
    /// takes a lock searches would wait for. A table the user does not own is skipped with a warning.
    private static func vacuum(_ tables: String) -> String {
        "VACUUM (ANALYZE, TRUNCATE false) \(tables)"
    }

    private struct ImportStopped: Error {}

    private func chooseMode(
        _ forced: ImportMode?, firstBatch: ImportBatch, reader: any RecordReader, totalBytes: Int?
    ) async throws -> ImportMode {
        if let forced { return forced }
        let existing = try await pool.query("""
            SELECT coalesce((SELECT document_count FROM collection_statistics WHERE collection_id = \(collection.id)), 0) AS n
            """).single().decode(Int.self, column: "n")
        // Records per on-disk byte, from the first batch: its average JSON size and the compression ratio.
        var estimate: Int?
        let jsonBytes = firstBatch.entries.reduce(0) { $0 + $1.json.utf8.count }
        if let totalBytes, reader.bytesRead > 0, jsonBytes > 0, !firstBatch.entries.isEmpty {
            let perRecord = Double(jsonBytes) / Double(firstBatch.entries.count)
            let expansion = Double(reader.bytesDecoded) / Double(reader.bytesRead)
            estimate = Int(Double(totalBytes) * expansion / perRecord)
        }
        return ImportMode.automatic(estimatedDocuments: estimate, existingDocuments: existing)
    }

    private func startJob(mode: ImportMode, fingerprint: String, batchSize: Int) async throws -> CollectionJob {
        let id = UUID()
        let staging = mode == .bulk ? BulkPublication.stagingTableName(job: id) : nil
        if let staging { try await BulkPublication(pool: pool, collection: collection.id).createStaging(staging) }
        return try await CollectionJob.start(
            id: id, .import, collection: collection.id, mode: mode.rawValue, fingerprint: fingerprint, batchSize: batchSize,
            stagingTable: staging, on: pool)
    }

    /// Inputs (path, size, modification time) and the options that decide records and ids.
    static func fingerprint(_ options: ImportOptions) -> String {
        var text = "format=\(options.format?.rawValue ?? "auto");ids=\(options.idKeys.joined(separator: ","))"
        for path in options.inputs {
            let attributes = path == "-" ? nil : try? FileManager.default.attributesOfItem(atPath: path)
            let size = attributes?[.size] as? Int ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            text += ";\(path):\(size):\(Int(modified))"
        }
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
