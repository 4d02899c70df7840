public import Foundation
public import SearchCore

/// Keys held in process memory, for the in-memory engine: lost on restart, like its collections.
/// Like the database store, it keeps only each key's hash.
public actor InMemoryAPIKeyStore: APIKeyStore {
    private struct Entry {
        var record: APIKeyRecord
        var hash: [UInt8]
        var revoked: Bool
    }

    private var entries: [Entry] = []
    /// Collections that exist, for checking a key's collection; asked at insert time.
    private let collectionExists: @Sendable (String) async -> Bool

    public init(collectionExists: @escaping @Sendable (String) async -> Bool) {
        self.collectionExists = collectionExists
    }

    public func insert(_ record: APIKeyRecord, hash: [UInt8]) async throws(SearchError) {
        if let collection = record.collection, await !collectionExists(collection) {
            throw .collectionNotFound(collection)
        }
        entries.append(Entry(record: record, hash: hash, revoked: false))
    }

    public func key(hash: [UInt8]) async throws(SearchError) -> APIKeyRecord? {
        entries.first { !$0.revoked && $0.hash == hash }?.record
    }

    public func keys() async throws(SearchError) -> [APIKeyRecord] {
        entries.filter { !$0.revoked }.map(\.record).sorted { $0.createdAt > $1.createdAt }
    }

    public func revoke(id: UUID) async throws(SearchError) -> Bool {
        guard let index = entries.firstIndex(where: { $0.record.id == id && !$0.revoked }) else { return false }
        entries[index].revoked = true
        return true
    }

    public func hasAdminKey() async throws(SearchError) -> Bool {
        let now = Date()
        return entries.contains { !$0.revoked && $0.record.scopes.contains(.admin) && $0.record.collection == nil && !$0.record.isExpired(at: now) }
    }
}
