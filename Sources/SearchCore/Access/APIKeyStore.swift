public import Foundation

/// What a key lets its holder do.
public enum APIKeyScope: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Search and read documents.
    case search
    /// Create, replace and delete documents.
    case write
    /// Everything, including collections and keys.
    case admin

    public static func < (lhs: APIKeyScope, rhs: APIKeyScope) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A key as stored: everything but the key itself, of which only a SHA-256 hash is kept.
public struct APIKeyRecord: Sendable, Hashable {
    public var id: UUID
    public var name: String
    /// A short, non-secret label (`lp_` and five characters).
    public var prefix: String
    public var scopes: Set<APIKeyScope>
    /// Limits the key to one collection; nil for all.
    public var collection: String?
    public var expiresAt: Date?
    public var createdAt: Date

    public init(id: UUID, name: String, prefix: String, scopes: Set<APIKeyScope>, collection: String?, expiresAt: Date?, createdAt: Date) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.scopes = scopes
        self.collection = collection
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }

    public func isExpired(at now: Date) -> Bool {
        expiresAt.map { $0 <= now } ?? false
    }

    /// Whether the key allows `scope` on `collection` (nil for operations outside any collection).
    public func allows(_ scope: APIKeyScope, on collection: String?) -> Bool {
        if scopes.contains(.admin) {
            return self.collection == nil || self.collection == collection
        }
        guard scopes.contains(scope) else { return false }
        guard let limited = self.collection else { return true }
        return limited == collection
    }
}

/// Where keys live. Implementations store and find keys by the SHA-256 hash of the key; they never see
/// the key itself.
public protocol APIKeyStore: Sendable {
    /// Stores a new key. Throws `collectionNotFound` when the collection does not exist.
    func insert(_ record: APIKeyRecord, hash: [UInt8]) async throws(SearchError)
    /// The live (not revoked) key with this hash, expired or not.
    func key(hash: [UInt8]) async throws(SearchError) -> APIKeyRecord?
    /// Live keys, newest first.
    func keys() async throws(SearchError) -> [APIKeyRecord]
    /// Revokes a key; false when there was no live key with that id.
    func revoke(id: UUID) async throws(SearchError) -> Bool
    /// Whether any live admin key exists (so a first start knows to generate one).
    func hasAdminKey() async throws(SearchError) -> Bool
}
