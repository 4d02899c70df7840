import HTTPTypes
import Crypto
public import Foundation
public import Hummingbird
public import SearchCore

/// Accepts `Authorization: Bearer <key>` by looking up the key's SHA-256 hash. An unknown, revoked or
/// expired key is a 401. What a key may do is checked by each route (`context.require`).
public struct KeyAuthenticator: RouterMiddleware {
    public typealias Context = LoupeRequestContext

    let keys: any APIKeyStore
    /// Keys that live only in this process (the admin key from `LOUPE_ADMIN_KEY`), by hash.
    let processKeys: [[UInt8]: APIKeyRecord]
    /// Longest bearer token considered at all.
    static let maximumKeyLength = 256

    public init(keys: any APIKeyStore, processKeys: [[UInt8]: APIKeyRecord] = [:]) {
        self.keys = keys
        self.processKeys = processKeys
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("an API key is required: send \"Authorization: Bearer <key>\"")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer", (1...Self.maximumKeyLength).contains(parts[1].utf8.count) else {
            throw APIError.unauthorized("the Authorization header must be \"Bearer <key>\"")
        }
        let hash = APIKeySecret.hash(of: parts[1])
        let found: APIKeyRecord?
        if let processKey = Self.constantTimeLookup(hash, in: processKeys) {
            found = processKey
        } else {
            do {
                found = try await keys.key(hash: hash)
            } catch {
                throw APIError(error)
            }
        }
        guard let record = found else { throw APIError.unauthorized("the API key is not valid") }
        guard !record.isExpired(at: Date()) else { throw APIError.unauthorized("the API key has expired") }
        var context = context
        context.key = record
        return try await next(request, context)
    }

    /// Compares against every process key in full, so timing does not reveal how much of a hash matched.
    /// (Stored keys are found by an index lookup on the hash, which reveals nothing about any key.)
    static func constantTimeLookup(_ hash: [UInt8], in keys: [[UInt8]: APIKeyRecord]) -> APIKeyRecord? {
        var match: APIKeyRecord?
        for (candidate, record) in keys where candidate.count == hash.count {
            var difference: UInt8 = 0
            for (a, b) in zip(candidate, hash) { difference |= a ^ b }
            if difference == 0 { match = record }
        }
        return match
    }
}
