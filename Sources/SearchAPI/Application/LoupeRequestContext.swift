public import Hummingbird
public import SearchCore

/// Per-request state: who is calling, and which route matched (for metrics).
public struct LoupeRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's key, once the authenticator has accepted it.
    public var key: APIKeyRecord?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The key, which must allow `scope` on `collection` (nil for operations outside a collection).
    func require(_ scope: APIKeyScope, on collection: String? = nil) throws -> APIKeyRecord {
        guard let key else { throw APIError.unauthorized("an API key is required") }
        guard key.allows(scope, on: collection) else {
            if let collection, key.scopes.contains(scope) || key.scopes.contains(.admin) {
                throw APIError.forbidden("the key is not valid for collection \"\(collection.prefix(64))\"")
            }
            throw APIError.forbidden("the key lacks the \"\(scope.rawValue)\" scope")
        }
        return key
    }
}
