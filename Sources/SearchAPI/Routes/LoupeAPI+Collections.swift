import HTTPTypes
import Hummingbird
import SearchCore

extension LoupeAPI {
    func createCollection(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        _ = try context.require(.admin)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let definition = try CollectionWire.definition(from: try await JSONBody.object(from: request, limit: configuration.maximumBodyBytes))
        let created = try await engineCall { try await engine.createCollection(definition) }
        return JSONBody.response(CollectionWire.json(created), status: .created)
    }

    func listCollections(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let key = try context.require(.search, on: nil as String?, allowingCollectionKeys: true)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let all = try await engineCall { try await engine.collections() }
        let visible = all.filter { key.collection == nil || key.collection == $0.definition.name.rawValue }
        return JSONBody.response(.object(["collections": .array(visible.map(CollectionWire.json))]))
    }

    func getCollection(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        _ = try context.require(.search, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        return JSONBody.response(CollectionWire.json(try await engineCall { try await engine.collection(named: name) }))
    }

    func updateCollection(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        _ = try context.require(.admin, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        let update = try CollectionWire.update(from: try await JSONBody.object(from: request, limit: configuration.maximumBodyBytes))
        let result = try await engineCall { try await engine.updateCollection(named: name, update) }
        var body: [String: JSONValue] = [
            "collection": CollectionWire.json(result.collection), "reindex_required": .bool(result.reindexRequired),
        ]
        if result.reindexRequired {
            body["message"] = .string(
                "stored documents still use the old fields, weights or language; run `loupe reindex --collection \(name)`")
        }
        return JSONBody.response(.object(body))
    }

    func deleteCollection(_ request: Request, _ context: LoupeRequestContext) async throws -> Response {
        let name = try context.parameters.require("collection")
        _ = try context.require(.admin, on: name)
        try QueryString(request.uri.query).rejectUnknown(known: [])
        try await engineCall { try await engine.deleteCollection(named: name) }
        return JSONBody.response(.object(["name": .string(name), "deleted": .bool(true)]))
    }

    /// Runs an engine call, restating its typed error as an API error.
    func engineCall<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as SearchError {
            throw APIError(error)
        }
    }
}

extension LoupeRequestContext {
    /// For listings: a key limited to one collection may list, and sees only its collection.
    func require(_ scope: APIKeyScope, on collection: String?, allowingCollectionKeys: Bool) throws -> APIKeyRecord {
        guard let key else { throw APIError.unauthorized("an API key is required") }
        guard allowingCollectionKeys, key.collection != nil else { return try require(scope, on: collection) }
        return try require(scope, on: key.collection)
    }
}
