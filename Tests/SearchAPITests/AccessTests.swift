import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import Foundation
import HTTPTypes
import PostgresSearch
import SearchAPI
import SearchCore
import Testing

@Suite struct AccessTests {
    @Test(arguments: TestEngine.allCases) func missingMalformedAndUnknownKeysAre401(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            for key in [nil, "", "lp_notarealkey", String(repeating: "x", count: 400)] as [String?] {
                let reply = try await client.send(.get, "/v1/collections", key: key)
                #expect(reply.status == .unauthorized)
                #expect(reply.errorCode == "unauthorized")
                #expect(reply.headers[.wwwAuthenticate] == "Bearer")
            }
            let basic = try await client.execute(uri: "/v1/collections", method: .get, headers: [.authorization: "Basic dXNlcjpwYXNz"]) { $0.status }
            #expect(basic == .unauthorized)
            // Health and readiness are open.
            #expect(try await client.send(.get, "/health", key: nil).status == .ok)
            #expect(try await client.send(.get, "/ready", key: nil).status == .ok)
        }
    }

    @Test(arguments: TestEngine.allCases) func scopesAndCollectionLimits(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles([article("1", title: "hello", body: "world")])
            let created = try await client.send(.post, "/v1/collections", json: #"{"name": "other", "fields": [{"name": "title"}]}"#)
            #expect(created.status == .created)

            let searchOnly = try await client.makeKey(scopes: ["search"], collection: "articles")
            #expect(try await client.send(.get, "/v1/collections/articles/search?q=hello", key: searchOnly).status == .ok)
            #expect(try await client.send(.get, "/v1/collections/articles/documents/1", key: searchOnly).status == .ok)
            let otherCollection = try await client.send(.get, "/v1/collections/other/search?q=hello", key: searchOnly)
            #expect(otherCollection.status == .forbidden)
            #expect(otherCollection.errorCode == "forbidden")
            #expect(try await client.send(.post, "/v1/collections/articles/documents", key: searchOnly, json: article("2", title: "t", body: "b")).status == .forbidden)
            #expect(try await client.send(.delete, "/v1/collections/articles", key: searchOnly).status == .forbidden)
            #expect(try await client.send(.get, "/v1/keys", key: searchOnly).status == .forbidden)
            #expect(try await client.send(.get, "/metrics", key: searchOnly).status == .forbidden)
            // A collection-limited key lists only its collection.
            let listed = try await client.send(.get, "/v1/collections", key: searchOnly)
            #expect(listed.json["collections"]?[0]?["name"] == .string("articles"))
            #expect(listed.json["collections"]?[1] == nil)

            let writer = try await client.makeKey(scopes: ["write"])
            #expect(try await client.send(.post, "/v1/collections/other/documents", key: writer, json: #"[{"id": "x", "title": "t"}]"#).status == .ok)
            #expect(try await client.send(.get, "/v1/collections/other/search?q=t", key: writer).status == .forbidden)
            #expect(try await client.send(.post, "/v1/collections", key: writer, json: #"{"name": "z", "fields": [{"name": "t"}]}"#).status == .forbidden)

            let collectionAdmin = try await client.makeKey(scopes: ["admin"], collection: "other")
            #expect(try await client.send(.patch, "/v1/collections/other", key: collectionAdmin, json: #"{"language": "simple"}"#).status == .ok)
            #expect(try await client.send(.patch, "/v1/collections/articles", key: collectionAdmin, json: #"{"language": "simple"}"#).status == .forbidden)
            #expect(try await client.send(.post, "/v1/keys", key: collectionAdmin, json: #"{"name": "n", "scopes": ["search"]}"#).status == .forbidden)
        }
    }

    @Test func keysAreShownOnceStoredHashedAndCanExpireOrBeRevoked() async throws {
        try await APIFixture.with { fixture, client in
            let created = try await client.send(.post, "/v1/keys", json: #"{"name": "ci", "scopes": ["search", "write"]}"#)
            #expect(created.status == .created)
            let key = try #require(created.json["key"]?.stringValue)
            let id = try #require(created.json["id"]?.stringValue)
            #expect(key.hasPrefix("lp_") && key.count == 43)

            let listed = try await client.send(.get, "/v1/keys")
            #expect(!listed.text.contains(key))
            #expect(listed.text.contains(id))
            #expect(!listed.text.contains(APIFixture.adminKey))
            // Only the SHA-256 hash is in the database.
            let stored = try await fixture.schema.pool.query("SELECT encode(key_hash, 'hex') AS hash FROM api_keys WHERE id = \(try #require(UUID(uuidString: id)))")
            #expect(try stored.single().decode(String.self, column: "hash") == APIKeySecret.hash(of: key).map { String(format: "%02x", $0) }.joined())
            #expect(try await fixture.schema.pool.query("SELECT 1 FROM api_keys WHERE key_prefix = \(key) OR name = \(key)").isEmpty)

            #expect(try await client.send(.get, "/v1/collections", key: key).status == .ok)
            #expect(try await client.send(.delete, "/v1/keys/\(id)").status == .ok)
            let revoked = try await client.send(.get, "/v1/collections", key: key)
            #expect(revoked.status == .unauthorized)
            #expect(try await client.send(.delete, "/v1/keys/\(id)").errorCode == "key_not_found")

            // An expiry in the future lets the key in; once past, the key is refused. Two keys, so a slow
            // machine cannot make the first check race the clock.
            let expiring = try await client.makeKey(scopes: ["search"], expiresInSeconds: 3_600)
            #expect(try await client.send(.get, "/v1/collections", key: expiring).status == .ok)
            let shortLived = try await client.makeKey(scopes: ["search"], expiresInSeconds: 1)
            try await Task.sleep(for: .milliseconds(1_200))
            let expired = try await client.send(.get, "/v1/collections", key: shortLived)
            #expect(expired.status == .unauthorized)
            #expect(expired.json["error"]?["message"] == .string("the API key has expired"))

            for body in [#"{"name": "x", "scopes": ["root"]}"#, #"{"name": "x", "scopes": []}"#, #"{"scopes": ["search"]}"#,
                         #"{"name": "x", "scopes": ["search"], "expires_at": "yesterday"}"#,
                         #"{"name": "x", "scopes": ["search"], "expires_at": "2001-01-01T00:00:00Z"}"#] {
                #expect(try await client.send(.post, "/v1/keys", json: body).status == .badRequest, "\(body)")
            }
            #expect(try await client.send(.post, "/v1/keys", json: #"{"name": "x", "scopes": ["search"], "collection": "nope"}"#).status == .notFound)
        }
    }

    @Test func aGeneratedAdminKeyIsStoredOnceAsAHash() async throws {
        try await APIFixture.with { fixture, _ in
            let keys = PostgresAPIKeyStore(pool: fixture.schema.pool)
            guard case .generated(let secret) = try await AdminKeyBootstrap.prepare(environmentKey: nil, store: keys) else {
                Issue.record("expected a generated key")
                return
            }
            #expect(try await keys.key(hash: secret.hash)?.scopes == [.admin])
            guard case .existing = try await AdminKeyBootstrap.prepare(environmentKey: nil, store: keys) else {
                Issue.record("a second start must not generate another key")
                return
            }
            await #expect(throws: AdminKeyError.self) { try await AdminKeyBootstrap.prepare(environmentKey: "short", store: keys) }
        }
    }

    @Test(arguments: TestEngine.allCases) func rateLimitsPerKeyAnswer429(engine: TestEngine) async throws {
        // One request per 1,000 seconds: the first passes, the next ones in this test cannot, however slow the machine.
        try await APIFixture.serve(engine, configuration: APIConfiguration(rateLimit: 0.001)) { client in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<3 { statuses.append(try await client.send(.get, "/v1/collections").status) }
            #expect(statuses == [.ok, .tooManyRequests, .tooManyRequests])
            let limited = try await client.send(.get, "/v1/collections")
            #expect(limited.errorCode == "rate_limited")
            // The wait until the bucket holds a token again: about 1,000 seconds.
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect((900...1_000).contains(retryAfter))
            // Open routes are not limited.
            #expect(try await client.send(.get, "/health", key: nil).status == .ok)
        }
    }
}
