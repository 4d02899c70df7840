public import Foundation
public import PostgresClient
public import SearchCore

/// API keys in the `api_keys` table, found by the SHA-256 hash of the key.
public struct PostgresAPIKeyStore: APIKeyStore {
    public let pool: PostgresConnectionPool

    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    public func insert(_ record: APIKeyRecord, hash: [UInt8]) async throws(SearchError) {
        do {
            let inserted = try await pool.query("""
                INSERT INTO api_keys (id, name, key_hash, key_prefix, scopes, collection_id, expires_at, created_at)
                SELECT \(record.id), \(record.name), \(PostgresBytes(hash)), \(record.prefix), \(record.scopes.map(\.rawValue).sorted()),
                       c.id, \(record.expiresAt), \(record.createdAt)
                FROM (SELECT NULL::uuid AS id WHERE \(record.collection)::text IS NULL
                      UNION ALL
                      SELECT id FROM collections WHERE name = \(record.collection) AND deleted_at IS NULL) AS c
                """)
            guard inserted.affectedRows == 1 else { throw SearchError.collectionNotFound(record.collection ?? "") }
        } catch {
            throw .from(error, doing: "storing the key")
        }
    }

    public func key(hash: [UInt8]) async throws(SearchError) -> APIKeyRecord? {
        do {
            return try await select("k.key_hash = \(PostgresBytes(hash))").first
        } catch {
            throw .from(error, doing: "checking the key")
        }
    }

    public func keys() async throws(SearchError) -> [APIKeyRecord] {
        do {
            return try await select("TRUE")
        } catch {
            throw .from(error, doing: "listing keys")
        }
    }

    public func revoke(id: UUID) async throws(SearchError) -> Bool {
        do {
            return try await pool.query(
                "UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL AND deleted_at IS NULL"
            ).affectedRows == 1
        } catch {
            throw .from(error, doing: "revoking the key")
        }
    }

    public func hasAdminKey() async throws(SearchError) -> Bool {
        do {
            return try await !pool.query("""
                SELECT 1 FROM api_keys WHERE 'admin' = ANY(scopes) AND collection_id IS NULL
                  AND revoked_at IS NULL AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                LIMIT 1
                """).isEmpty
        } catch {
            throw .from(error, doing: "checking keys")
        }
    }

    /// Live keys matching `condition`; a key of a retired collection is gone with it.
    private func select(_ condition: PostgresQuery) async throws -> [APIKeyRecord] {
        var query: PostgresQuery = """
            SELECT k.id, k.name, k.key_prefix, k.scopes, c.name AS collection, k.expires_at, k.created_at
            FROM api_keys k LEFT JOIN collections c ON c.id = k.collection_id
            WHERE k.revoked_at IS NULL AND k.deleted_at IS NULL
              AND (k.collection_id IS NULL OR c.deleted_at IS NULL) AND 
            """
        query.append(condition)
        query.append(" ORDER BY k.created_at DESC, k.id")
        return try await pool.query(query).map { row in
            APIKeyRecord(
                id: try row.decode(UUID.self, column: "id"), name: try row.decode(String.self, column: "name"),
                prefix: try row.decode(String.self, column: "key_prefix"),
                scopes: Set(try row.decode([String].self, column: "scopes").compactMap(APIKeyScope.init(rawValue:))),
                collection: try row.decode(String?.self, column: "collection"),
                expiresAt: try row.decode(Date?.self, column: "expires_at"),
                createdAt: try row.decode(Date.self, column: "created_at"))
        }
    }
}
