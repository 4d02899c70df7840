/// Which statements a connection keeps prepared on the server, so a statement run again skips parsing and
/// analysis (the session plans every run for its values: `plan_cache_mode = force_custom_plan`).
///
/// Like pgJDBC's `prepareThreshold`, a statement is prepared only from its `threshold`-th run: one-off SQL
/// (DDL, a migration, a dynamically named staging table) never costs a Parse of its own. The server-side
/// statements are bounded; the least recently used one makes room and is deallocated.
struct PreparedStatementCache {
    /// A statement is identified by its text and its parameter types: the same text bound with other types
    /// is another statement on the server.
    struct Key: Hashable {
        let sql: String
        let types: [UInt32]
    }

    enum Decision: Equatable {
        /// Run it unnamed (PQexecParams).
        case unprepared
        /// Prepare it under this name now, then run it.
        case prepare(String)
        /// Already prepared under this name.
        case prepared(String)
    }

    private struct Entry {
        var runs: Int
        var name: String?
        var lastUsed: UInt64
    }

    let capacity: Int
    let threshold: Int
    /// Off: every statement runs unnamed.
    let enabled: Bool
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var nextName = 0
    /// Server-side statements evicted or found stale, waiting for a `DEALLOCATE`.
    private(set) var pendingDeallocations: [String] = []

    init(capacity: Int = 64, threshold: Int = 2, enabled: Bool = true) {
        precondition(capacity > 0 && threshold > 0)
        self.capacity = capacity
        self.threshold = threshold
        self.enabled = enabled
    }

    /// How many statements are prepared on the server now.
    var preparedCount: Int { entries.values.count { $0.name != nil } }

    /// Counts a run of `key` and says how to execute it.
    mutating func decide(_ key: Key) -> Decision {
        guard enabled else { return .unprepared }
        clock += 1
        if entries[key] == nil, entries.count >= capacity * 4 {
            // Statements seen but not prepared are tracked too, and bounded like the prepared ones.
            evictOldest(where: { $0.name == nil })
        }
        var entry = entries[key] ?? Entry(runs: 0, name: nil, lastUsed: clock)
        entry.runs += 1
        entry.lastUsed = clock
        defer { entries[key] = entry }
        if let name = entry.name { return .prepared(name) }
        guard entry.runs >= threshold else { return .unprepared }
        makeRoom()
        nextName += 1
        entry.name = "loupe_s\(nextName)"
        return .prepare("loupe_s\(nextName)")
    }

    /// The server did not keep the statement (its Parse failed): run it unnamed next time.
    mutating func forgetPreparation(of key: Key) {
        entries[key]?.name = nil
        entries[key]?.runs = 0
    }

    /// The server statement went stale (its result type changed under it, or it no longer exists):
    /// drop it and deallocate it when the connection can.
    mutating func invalidate(_ key: Key) {
        guard let entry = entries.removeValue(forKey: key), let name = entry.name else { return }
        pendingDeallocations.append(name)
    }

    /// Names whose `DEALLOCATE` was sent; they leave the queue.
    mutating func deallocated(_ names: [String]) {
        pendingDeallocations.removeAll { names.contains($0) }
    }

    private mutating func makeRoom() {
        while preparedCount >= capacity {
            evictOldest(where: { $0.name != nil })
        }
    }

    private mutating func evictOldest(where matches: (Entry) -> Bool) {
        guard let oldest = entries.filter({ matches($0.value) }).min(by: { $0.value.lastUsed < $1.value.lastUsed }) else { return }
        entries.removeValue(forKey: oldest.key)
        if let name = oldest.value.name { pendingDeallocations.append(name) }
    }
}
