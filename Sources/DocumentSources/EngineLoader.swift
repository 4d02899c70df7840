public import SearchCore

/// Loads a JSONL file (plain or gzip) into a collection through the `SearchEngine` protocol, in batches,
/// so it works with either engine. For large loads into PostgreSQL, `loupe import` is faster.
public struct EngineLoader: Sendable {
    public struct Progress: Sendable {
        public var records: Int
        public var written: Int
        public var problems: Int
        public var bytesRead: Int
        public var totalBytes: Int?
    }

    public let engine: any SearchEngine
    public var batchSize = 500
    public var limits = DocumentLimits()

    public init(engine: any SearchEngine) {
        self.engine = engine
    }

    /// Upserts every record of `path` into `collection` (idempotent: ids replace). Stops between batches
    /// when the task is cancelled.
    @discardableResult
    public func loadJSONLines(
        path: String, into collection: String, progress: (Progress) -> Void = { _ in }
    ) async throws -> Progress {
        let reader = LineReader(source: try ByteSource(path: path), maximumLineBytes: limits.maximumDocumentBytes)
        var state = Progress(records: 0, written: 0, problems: 0, bytesRead: 0, totalBytes: reader.source.totalBytes)
        var batch: [SourceDocument] = []
        var seen = Set<String>()
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let result = try await engine.upsert(batch, into: collection)
            state.written += result.written
            state.problems += result.problems.count
            state.bytesRead = reader.source.bytesRead
            batch.removeAll(keepingCapacity: true)
            seen.removeAll(keepingCapacity: true)
            progress(state)
        }
        while let line = try reader.next() {
            guard case .text(let bytes) = line else {
                state.records += 1
                state.problems += 1
                continue
            }
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            state.records += 1
            do {
                let document = try SourceDocument(try JSONParser.parse(bytes, limits: limits.parserLimits))
                if seen.insert(document.id).inserted {
                    batch.append(document)
                } else {
                    state.problems += 1
                }
            } catch {
                state.problems += 1
            }
            if batch.count >= batchSize {
                try Task.checkCancellation()
                try await flush()
            }
        }
        try await flush()
        return state
    }
}
