import HTTPTypes
import Foundation
import Hummingbird
import SearchCore

extension LoupeAPI {
    static let maximumKeyNameLength = 200

    /// `POST /v1/keys {name, scopes, collection?, expires_at? | expires_in_seconds?}`. The key is in this
    /// response and nowhere else, ever: only its hash is stored.
    func createKey(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        try requireUnrestrictedAdmin(context)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let body = try await JSONBody.object(from: request, limit: 64 * 1024)
        try body.rejectUnknown(known: ["name", "scopes", "collection", "expires_at", "expires_in_seconds"])
        guard let name = try body.string("name"), (1...Self.maximumKeyNameLength).contains(name.count) else {
            throw APIError.badRequest("\"name\" is required (1-\(Self.maximumKeyNameLength) characters)")
        }
        guard let scopeValues = try body.array("scopes", maximum: APIKeyScope.allCases.count * 2), !scopeValues.isEmpty else {
            throw APIError.badRequest("\"scopes\" is required: any of search, write, admin")
        }
        let scopes = try Set(scopeValues.map { value in
            guard let scope = value.stringValue.flatMap(APIKeyScope.init(rawValue:)) else {
                throw APIError.badRequest("scopes are search, write and admin")
            }
            return scope
        })
        let collection = try body.string("collection")
        if let collection { _ = try await engineCall { try await engine.collection(named: collection) } }
        let now = Date()
        var expiresAt: Date?
        if let text = try body.string("expires_at") {
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw APIError.badRequest("expires_at must be an ISO 8601 time such as 2027-01-31T00:00:00Z")
            }
            expiresAt = date
        }
        if let seconds = try body.int("expires_in_seconds") {
            guard expiresAt == nil, (1...(10 * 366 * 86_400)).contains(seconds) else {
                throw APIError.badRequest("give expires_at or expires_in_seconds (1 second to 10 years), not both")
            }
            expiresAt = now.addingTimeInterval(Double(seconds))
        }
        if let expiresAt, expiresAt <= now { throw APIError.badRequest("expires_at is in the past") }

        let secret = APIKeySecret.generate()
        let record = APIKeyRecord(
            id: UUID(), name: name, prefix: secret.displayPrefix, scopes: scopes, collection: collection,
            expiresAt: expiresAt, createdAt: now)
        try await engineCall { try await keys.insert(record, hash: secret.hash) }
        var json = KeyWire.json(record)
        if case .object(var members) = json {
            members["key"] = .string(secret.reveal)
            json = .object(members)
        }
        return JSONBody.response(json, status: .created)
    }

    func listKeys(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        try requireUnrestrictedAdmin(context)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let stored = try await engineCall { try await keys.keys() }
        let all = processKeys.values.sorted { $0.createdAt < $1.createdAt } + stored
        return JSONBody.response(.object(["keys": .array(all.map(KeyWire.json))]))
    }

    func revokeKey(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        try requireUnrestrictedAdmin(context)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        guard let id = UUID(uuidString: try context.parameters.require("id")) else {
            throw APIError(.notFound, code: "key_not_found", message: "no key has that id")
        }
        guard try await engineCall({ try await keys.revoke(id: id) }) else {
            throw APIError(.notFound, code: "key_not_found", message: "no key has that id")
        }
        return JSONBody.response(.object(["id": .string(id.uuidString.lowercased()), "revoked": .bool(true)]))
    }

    private func requireUnrestrictedAdmin(_ context: LoupeRequestContext) throws {
        let key = try context.require(.admin)
        guard key.collection == nil else { throw APIError.forbidden("managing keys needs an admin key for all collections") }
    }
}

enum KeyWire {
    static func json(_ record: APIKeyRecord) -> JSONValue {
        .object([
            "id": .string(record.id.uuidString.lowercased()),
            "name": .string(record.name),
            "prefix": .string(record.prefix),
            "scopes": .array(record.scopes.sorted { $0.rawValue < $1.rawValue }.map { .string($0.rawValue) }),
            "collection": record.collection.map(JSONValue.string) ?? .null,
            "expires_at": record.expiresAt.map { .string($0.formatted(.iso8601)) } ?? .null,
            "created_at": .string(record.createdAt.formatted(.iso8601)),
        ])
    }
}
