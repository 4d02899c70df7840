import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InvertedIndex
import Logging
import LoupeTestSupport
import NIOCore
import PostgresClient
import PostgresSearch
import SearchAPI
import SearchCore

/// A migrated schema, the Postgres engine over it, and the API's router, driven without sockets.
struct APIFixture {
    static let adminKey = "test-admin-key-0123456789abcdef"

    let schema: TestSchema
    let engine: PostgresSearchEngine
    let api: LoupeAPI

    static func with(
        configuration: APIConfiguration = APIConfiguration(rateLimit: nil),
        engineOptions: PostgresSearchEngine.Options = PostgresSearchEngine.Options(),
        _ body: @Sendable (APIFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withSchema { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationSource.load(from: MigrationSource.sourceTreeDirectory)).up()
            let engine = PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random(), options: engineOptions)
            let keys = PostgresAPIKeyStore(pool: schema.pool)
            guard case .fromEnvironment(let processKeys) = try await AdminKeyBootstrap.prepare(environmentKey: adminKey, store: keys) else {
                throw FixtureError("the admin key was not accepted")
            }
            let api = LoupeAPI(engine: engine, keys: keys, configuration: configuration, processKeys: processKeys)
            var logger = Logger(label: "loupe-test")
            logger.logLevel = .warning
            let application = api.buildApplication(host: "127.0.0.1", port: 0, logger: logger)
            let fixture = APIFixture(schema: schema, engine: engine, api: api)
            try await application.test(.router) { client in
                try await body(fixture, client)
            }
        }
    }
}

/// The engines the API runs on; tests where the engine matters run on both.
enum TestEngine: String, CaseIterable, Sendable {
    case postgres, memory
}

extension APIFixture {
    /// The API over `engine`, driven through the router.
    static func serve(
        _ engine: TestEngine, configuration: APIConfiguration = APIConfiguration(rateLimit: nil),
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        switch engine {
        case .postgres:
            try await with(configuration: configuration) { _, client in try await body(client) }
        case .memory:
            let memory = InMemorySearchEngine(cursorAuthenticator: HMACCursorAuthenticator.random())
            let keys = InMemoryAPIKeyStore { name in (try? await memory.collection(named: name)) != nil }
            guard case .fromEnvironment(let processKeys) = try await AdminKeyBootstrap.prepare(environmentKey: adminKey, store: keys) else {
                throw FixtureError("the admin key was not accepted")
            }
            let api = LoupeAPI(engine: memory, keys: keys, configuration: configuration, processKeys: processKeys)
            var logger = Logger(label: "loupe-test")
            logger.logLevel = .warning
            try await api.buildApplication(host: "127.0.0.1", port: 0, logger: logger).test(.router) { client in
                try await body(client)
            }
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A response with its body parsed, when it is JSON.
struct Reply {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String

    var json: JSONValue { (try? JSONParser.parse(Array(text.utf8))) ?? .null }
    var errorCode: String? { json["error"]?["code"]?.stringValue }
}

extension TestClientProtocol {
    /// Sends a request as `key` (the admin key unless told otherwise; nil sends no Authorization header).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = APIFixture.adminKey, json: String? = nil,
        bytes: [UInt8]? = nil, contentType: String = "application/json"
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(string: json) }
        if let bytes { body = ByteBuffer(bytes: bytes) }
        if body != nil { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
    }

    /// Creates `articles` (title A, body B, `year` filterable) and loads documents.
    func createArticles(_ documents: [String] = []) async throws {
        let created = try await send(.post, "/v1/collections", json: """
            {"name": "articles", "fields": [{"name": "title", "weight": "A"}, {"name": "body", "weight": "B"}],
             "filterable_attributes": [{"name": "year", "kind": "number"}]}
            """)
        guard created.status == .created else { throw FixtureError("create failed: \(created.text)") }
        if !documents.isEmpty {
            let written = try await send(.post, "/v1/collections/articles/documents", json: "[" + documents.joined(separator: ",") + "]")
            guard written.status == .ok else { throw FixtureError("load failed: \(written.text)") }
        }
    }

    /// Creates a key and returns it.
    func makeKey(scopes: [String], collection: String? = nil, expiresInSeconds: Int? = nil) async throws -> String {
        var body = #"{"name": "test key", "scopes": [\#(scopes.map { "\"\($0)\"" }.joined(separator: ","))]"#
        if let collection { body += #", "collection": "\#(collection)""# }
        if let expiresInSeconds { body += #", "expires_in_seconds": \#(expiresInSeconds)"# }
        body += "}"
        let reply = try await send(.post, "/v1/keys", json: body)
        guard reply.status == .created, let key = reply.json["key"]?.stringValue else { throw FixtureError("key creation failed: \(reply.text)") }
        return key
    }
}

func article(_ id: String, title: String, body: String, year: Int = 2020) -> String {
    func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        JSONValue.string(text).write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
    return #"{"id": \#(quoted(id)), "title": \#(quoted(title)), "body": \#(quoted(body)), "year": \#(year)}"#
}
