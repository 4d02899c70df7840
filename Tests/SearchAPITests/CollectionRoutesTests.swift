import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import SearchCore
import Testing

@Suite struct CollectionRoutesTests {
    @Test(arguments: TestEngine.allCases) func createListGetPatchAndDelete(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles([article("1", title: "Red fox", body: "quick")])
            let listed = try await client.send(.get, "/v1/collections")
            #expect(listed.status == .ok)
            #expect(listed.json["collections"] == .array([try #require(try await client.send(.get, "/v1/collections/articles").json as JSONValue?)]))

            let got = try await client.send(.get, "/v1/collections/articles")
            #expect(got.json["document_count"] == .number("1"))
            #expect(got.json["fields"] == .array([
                .object(["name": .string("title"), "weight": .string("A")]), .object(["name": .string("body"), "weight": .string("B")]),
            ]))
            #expect(got.json["ranking"]?["k1"] == .number("0.9"))

            // A weight change needs a reindex; a k1 change does not (impacts are recomputed at once).
            let reweighted = try await client.send(.patch, "/v1/collections/articles", json: #"{"fields": [{"name": "title", "weight": "B"}, {"name": "body", "weight": "B"}]}"#)
            #expect(reweighted.status == .ok)
            #expect(reweighted.json["reindex_required"] == .bool(engine == .postgres))  // the memory engine re-indexes at once
            let retuned = try await client.send(.patch, "/v1/collections/articles", json: #"{"ranking": {"k1": 1.2, "b": 0.75}}"#)
            #expect(retuned.json["reindex_required"] == .bool(false))
            #expect(retuned.json["collection"]?["ranking"]?["k1"] == .number("1.2"))
            let language = try await client.send(.patch, "/v1/collections/articles", json: #"{"language": "simple"}"#)
            #expect(language.json["reindex_required"] == .bool(engine == .postgres))

            #expect(try await client.send(.delete, "/v1/collections/articles").status == .ok)
            let gone = try await client.send(.get, "/v1/collections/articles")
            #expect(gone.status == .notFound)
            #expect(gone.errorCode == "collection_not_found")
            // The name is free again.
            try await client.createArticles()
        }
    }

    @Test(arguments: TestEngine.allCases) func refusesDuplicatesBadSettingsAndUnknownMembers(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles()
            let duplicate = try await client.send(.post, "/v1/collections", json: #"{"name": "articles", "fields": [{"name": "title"}]}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.errorCode == "collection_exists")

            let badName = try await client.send(.post, "/v1/collections", json: #"{"name": "Bad Name!", "fields": [{"name": "title"}]}"#)
            #expect(badName.status == .unprocessableContent)
            #expect(badName.errorCode == "invalid_settings")

            let badK1 = try await client.send(.post, "/v1/collections", json: #"{"name": "x", "fields": [{"name": "t"}], "ranking": {"k1": 99}}"#)
            #expect(badK1.status == .unprocessableContent)

            let badLanguage = try await client.send(.post, "/v1/collections", json: #"{"name": "x", "fields": [{"name": "t"}], "language": "klingon"}"#)
            #expect(badLanguage.status == .unprocessableContent)

            let unknown = try await client.send(.post, "/v1/collections", json: #"{"name": "x", "fields": [{"name": "t"}], "shards": 3}"#)
            #expect(unknown.status == .badRequest)
            #expect(unknown.errorCode == "unknown_parameter")

            let wrongType = try await client.send(.post, "/v1/collections", json: #"{"name": 7, "fields": []}"#)
            #expect(wrongType.status == .badRequest)

            let malformed = try await client.send(.post, "/v1/collections", json: #"{"name": "x", "fields": ["#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "invalid_json")

            let deep = try await client.send(.post, "/v1/collections", json: String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000))
            #expect(deep.status == .badRequest)

            let missing = try await client.send(.patch, "/v1/collections/nope", json: #"{"language": "simple"}"#)
            #expect(missing.status == .notFound)
        }
    }
}
