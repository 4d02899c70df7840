public import DocumentSources
public import Foundation
public import SearchCore

/// How an import writes.
public enum ImportMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Rows are staged (unlogged, vectors computed in parallel) and published in one transaction that
    /// builds the collection's statistics once: fastest for large loads into an empty or small collection;
    /// searches see the collection as it was until the import completes, then all of it.
    case bulk
    /// Each batch is upserted into `documents` with statistics kept by the triggers: searchable batch by
    /// batch; suits loads that are small next to the collection.
    case incremental

    public var description: String { rawValue }

    /// Inputs estimated below this many documents are loaded incrementally. Measured at 3b2dcf1 (bench/results/
    /// import-throughput.md): into an empty collection 5,000 documents take about 2 s either way, 63,955 take
    /// 23.1 s in bulk against 23.6 s (the two cross there) and 307,850 take 71.1 s against 221.2 s; 5,000
    /// documents into a collection of 63,955 take 24.6 s in bulk against 3.8 s (bulk rebuilds the whole
    /// collection's statistics). Incremental loads are searchable from their first batch (1.0 s), bulk ones at
    /// the end.
    public static let bulkMinimumDocuments = 50_000

    /// Bulk when the load is large and at least as big as the collection already is: then rebuilding the
    /// collection's statistics once costs less than maintaining them per batch.
    public static func automatic(estimatedDocuments: Int?, existingDocuments: Int) -> ImportMode {
        guard let estimatedDocuments, estimatedDocuments >= bulkMinimumDocuments else { return .incremental }
        return existingDocuments <= estimatedDocuments ? .bulk : .incremental
    }
}

public struct ImportOptions: Sendable {
    /// Files to read in order; `-` is standard input.
    public var inputs: [String]
    /// nil: CSV for `*.csv[.gz]`, else a JSON array or JSON lines by the first byte.
    public var format: RecordFormat?
    /// Keys an id is read from, in order of preference.
    public var idKeys: [String]
    /// nil: chosen by `ImportMode.automatic` from the first batch.
    public var mode: ImportMode?
    public var batchSize: Int
    /// Connections writing batches at once.
    public var writers: Int
    /// Bad records tolerated; one more stops the import.
    public var maximumProblems: Int
    /// Continue the unfinished import of the same inputs instead of starting over.
    public var resume: Bool
    public var limits: DocumentLimits

    public init(
        inputs: [String], format: RecordFormat? = nil, idKeys: [String] = SourceDocument.idKeys, mode: ImportMode? = nil,
        batchSize: Int = 2_000, writers: Int = 2, maximumProblems: Int = 0, resume: Bool = false,
        limits: DocumentLimits = DocumentLimits()
    ) {
        self.inputs = inputs
        self.format = format
        self.idKeys = idKeys
        self.mode = mode
        self.batchSize = batchSize
        self.writers = writers
        self.maximumProblems = maximumProblems
        self.resume = resume
        self.limits = limits
    }

    /// The id keys for `--id-field`: the field itself, and `_id` too when it is the default `id` (BEIR corpora).
    public static func idKeys(forField field: String) -> [String] {
        field == "id" ? SourceDocument.idKeys : [field]
    }
}

/// Numbers for a progress display, sent while an import runs.
public struct ImportProgress: Sendable {
    public enum Phase: Sendable { case loading, publishing, finishing }

    public var phase: Phase
    /// Records read (valid or not), including those skipped because an earlier run committed them.
    public var records: Int
    public var documentsWritten: Int
    public var problems: Int
    /// On-disk input bytes read, and their total when every input's size is known.
    public var bytesRead: Int
    public var totalBytes: Int?
    public var elapsed: Duration
}

/// What an import did.
public struct ImportSummary: Sendable {
    public var jobID: UUID
    public var mode: ImportMode
    /// Resumed an earlier run's checkpoint.
    public var resumed: Bool
    /// Records read by this run, including those skipped as already committed.
    public var records: Int
    /// Records an earlier run had committed, skipped by this one.
    public var skippedRecords: Int
    /// Documents inserted or changed (both runs, when resumed); unchanged documents are not rewritten.
    public var documentsWritten: Int
    /// Bad records, including those of committed batches of an earlier run.
    public var problems: Int
    /// Decompressed input bytes read by this run.
    public var bytesDecoded: Int
    public var elapsed: Duration
    /// When the first imported documents became searchable (the publish, in bulk mode).
    public var firstSearchableAfter: Duration?
    /// Bulk mode: how long the publication took (moving staged rows in, building statistics).
    public var publishingTime: Duration?
    /// Bulk mode: the publication's steps.
    public var publicationSteps: PublicationSteps?
    /// How long VACUUM ANALYZE of the search tables after a large import took: the planner's statistics, the GIN
    /// pending lists merged, and the visibility map that lets index-only scans skip the heap.
    public var vacuumTime: Duration?
    /// False when the run stopped at `--max-errors`; it can be resumed.
    public var completed: Bool
    /// The build of the collection's packed postings at the end, when the import left them stale.
    public var packing: PostingsPacker.Summary? = nil
}

/// Where a bulk publication's time went (it is one transaction on one connection).
public struct PublicationSteps: Sendable {
    /// Moving the staged rows into `documents`, with the upkeep of its indexes.
    public var documents: Duration
    /// Waiting, after that, for the postings another connection prepared meanwhile.
    public var waitingForPostings: Duration
    /// Writing the collection's statistics, document frequencies and impacts.
    public var statistics: Duration
    /// True when those came from the prepared postings; false when rebuilt from `documents`.
    public var preparedPostings: Bool
}

/// Why an import could not run (as opposed to bad records, which are reported one by one).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
