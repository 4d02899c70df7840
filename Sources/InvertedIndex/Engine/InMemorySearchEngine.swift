public import SearchCore
import Synchronization

/// The pure-Swift engine: collections held in memory as segmented inverted indexes, searched with the
/// Postgres engine's query language, analysis, BM25, highlighting and cursor guarantees.
///
/// Differences from the Postgres engine, by design: ties in score break by the app's document id (bytes)
/// rather than an internal UUID; `ts_rank`/`ts_rank_cd` rankings are refused; a query of only stop
/// words is ranked by BM25 over the stop-word postings among all its matches (PostgreSQL ranks an
/// arbitrary 1,000 of them with `ts_rank`); averages are always the live ones (as after
/// `refresh_search_impacts`); settings that change analysis re-index at once, so `reindexRequired` is false.
public final class InMemorySearchEngine: SearchEngine {
    public struct Options: Sendable {
        /// The `prefix*` units of a query score with at most this many of the collection's most frequent
        /// expansions in all (at least 5 each).
        public var prefixExpansions = 50
        /// Highlighting reads at most this much of each field.
        public var highlightMaximumBytes = 100_000

        public init() {}
    }

    public let options: Options
    let cursors: PageCursorCodec
    let collectionIndexes = Mutex<[String: CollectionIndex]>([:])

    public init(cursorAuthenticator: any MessageAuthenticator, options: Options = Options()) {
        self.cursors = PageCursorCodec(authenticator: cursorAuthenticator)
        self.options = options
    }

    public var name: String { "memory" }

    // MARK: - Collections

    public func createCollection(_ definition: CollectionDefinition) async throws(SearchError) -> CollectionInfo {
        try Self.checkSupported(definition)
        let created = collectionIndexes.withLock { indexes -> Bool in
            guard indexes[definition.name.rawValue] == nil else { return false }
            indexes[definition.name.rawValue] = CollectionIndex(snapshot: IndexSnapshot(definition: definition))
            return true
        }
        guard created else { throw .collectionExists(definition.name.rawValue) }
        return CollectionInfo(definition: definition, documentCount: 0)
    }

    public func collections() async throws(SearchError) -> [CollectionInfo] {
        let indexes = collectionIndexes.withLock { $0 }
        return indexes.keys.sorted().compactMap { name in
            indexes[name].map { Self.info($0.snapshot) }
        }
    }

    public func collection(named name: String) async throws(SearchError) -> CollectionInfo {
        Self.info(try index(name).snapshot)
    }

    public func updateCollection(named name: String, _ update: CollectionUpdate) async throws(SearchError) -> CollectionUpdateResult {
        let index = try index(name)
        let definition: CollectionDefinition
        do {
            definition = try update.applied(to: index.snapshot.definition)
        } catch {
            throw .invalidSettings(error.description)
        }
        try Self.checkSupported(definition)
        let snapshot = try await index.write { writer throws(SearchError) in
            writer.redefine(definition)
            return writer.snapshot
        }
        return CollectionUpdateResult(collection: Self.info(snapshot), reindexRequired: false)
    }

    public func deleteCollection(named name: String) async throws(SearchError) {
        let removed = collectionIndexes.withLock { $0.removeValue(forKey: name) }
        guard removed != nil else { throw .collectionNotFound(name) }
    }

    // MARK: - Documents

    public func upsert(_ documents: [SourceDocument], into collection: String) async throws(SearchError) -> DocumentWriteResult {
        try await index(collection).write { writer throws(SearchError) in writer.upsert(documents) }
    }

    public func document(id: String, in collection: String) async throws(SearchError) -> StoredDocument {
        let snapshot = try index(collection).snapshot
        guard let (segment, number) = snapshot.locate(id) else { throw .documentNotFound(id) }
        return StoredDocument(id: id, json: snapshot.segments[segment].segment.documents[Int(number)])
    }

    public func deleteDocument(id: String, from collection: String) async throws(SearchError) {
        let deleted = try await index(collection).write { writer throws(SearchError) -> Bool in
            let deleted = writer.delete(id)
            if deleted { writer.mergeIfNeeded() }
            return deleted
        }
        guard deleted else { throw .documentNotFound(id) }
    }

    public func checkReadiness() async throws(SearchError) {}

    // MARK: - Helpers

    func index(_ name: String) throws(SearchError) -> CollectionIndex {
        guard let index = collectionIndexes.withLock({ $0[name] }) else { throw .collectionNotFound(name) }
        return index
    }

    /// The current snapshot of a collection, for benchmarks and tests.
    func snapshot(of collection: String) throws(SearchError) -> IndexSnapshot {
        try index(collection).snapshot
    }

    static func info(_ snapshot: IndexSnapshot) -> CollectionInfo {
        CollectionInfo(definition: snapshot.definition, documentCount: snapshot.documentCount)
    }

    static func checkSupported(_ definition: CollectionDefinition) throws(SearchError) {
        guard DocumentAnalyzer.supportedLanguages.contains(definition.language) else {
            throw .invalidSettings(
                "the in-memory engine analyses only the english and simple configurations, not \(definition.language.rawValue)")
        }
    }
}
