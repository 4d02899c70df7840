public import Foundation
public import SearchCore

/// Where the admin key comes from at start-up.
public enum AdminKeyBootstrap {
    public enum Outcome: Sendable {
        /// `LOUPE_ADMIN_KEY` is set: that key is admin for this process (held as a hash in memory only).
        case fromEnvironment(processKeys: [[UInt8]: APIKeyRecord])
        /// No admin key existed: this one was made and stored hashed. Show it once; it cannot be recovered.
        case generated(APIKeySecret)
        /// An admin key is already stored.
        case existing
    }

    public static let minimumEnvironmentKeyLength = 16

    /// `environmentKey` is `LOUPE_ADMIN_KEY`; a key shorter than 16 characters is refused.
    public static func prepare(environmentKey: String?, store: any APIKeyStore) async throws -> Outcome {
        if let environmentKey, !environmentKey.isEmpty {
            guard environmentKey.count >= minimumEnvironmentKeyLength, environmentKey.utf8.count <= 256,
                !environmentKey.contains(where: \.isWhitespace)
            else {
                throw AdminKeyError.weakEnvironmentKey
            }
            let record = APIKeyRecord(
                id: UUID(), name: "admin (LOUPE_ADMIN_KEY)", prefix: String(environmentKey.prefix(4)) + "…",
                scopes: [.admin], collection: nil, expiresAt: nil, createdAt: Date())
            return .fromEnvironment(processKeys: [APIKeySecret.hash(of: environmentKey): record])
        }
        guard try await !store.hasAdminKey() else { return .existing }
        let secret = APIKeySecret.generate()
        try await store.insert(
            APIKeyRecord(
                id: UUID(), name: "admin (generated at first start)", prefix: secret.displayPrefix, scopes: [.admin],
                collection: nil, expiresAt: nil, createdAt: Date()),
            hash: secret.hash)
        return .generated(secret)
    }
}

public enum AdminKeyError: Error, CustomStringConvertible {
    case weakEnvironmentKey

    public var description: String {
        "LOUPE_ADMIN_KEY must be 16 to 256 characters without spaces"
    }
}
