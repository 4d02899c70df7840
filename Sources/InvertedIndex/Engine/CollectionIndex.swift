import SearchCore
import Synchronization

/// One collection of the in-memory engine: the snapshot searches read, and the writer that replaces it.
/// Readers take the current snapshot under a lock held only for the copy, so a write in progress never
/// blocks a search and a search never sees half a write.
final class CollectionIndex: Sendable {
    private let current: Mutex<IndexSnapshot>
    private let writer: CollectionWriter

    init(snapshot: IndexSnapshot) {
        current = Mutex(snapshot)
        writer = CollectionWriter(snapshot: snapshot)
    }

    var snapshot: IndexSnapshot { current.withLock { $0 } }

    /// Runs `change` on the writer's state (writes are serialized) and publishes the result.
    func write<T: Sendable>(_ change: @Sendable (inout IndexWriter) throws(SearchError) -> T) async throws(SearchError) -> T {
        let (result, snapshot) = try await writer.apply(change)
        current.withLock { $0 = snapshot }
        return result
    }
}

/// Serializes the writes of one collection.
actor CollectionWriter {
    private var writer: IndexWriter

    init(snapshot: IndexSnapshot) {
        writer = IndexWriter(snapshot: snapshot)
    }

    func apply<T: Sendable>(_ change: @Sendable (inout IndexWriter) throws(SearchError) -> T) throws(SearchError) -> (T, IndexSnapshot) {
        var copy = writer
        let result = try change(&copy)
        writer = copy
        return (result, writer.snapshot)
    }
}
