import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import SearchAPI
import SearchCore
import Testing

@Suite struct DocumentRoutesTests {
    @Test(arguments: TestEngine.allCases) func badDocumentsAreReportedWithoutTakingTheirNeighboursDown(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles()
            let body = """
                [\(article("a", title: "alpha", body: "first")),
                 {"title": "no id"},
                 {"id": "nul", "title": "bad \\u0000 text"},
                 \(article("b", title: "beta", body: "second")),
                 {"id": "a", "title": "duplicate of a"},
                 [1, 2],
                 {"id": {"nested": true}, "title": "object id"}]
                """
            let reply = try await client.send(.post, "/v1/collections/articles/documents", json: body)
            #expect(reply.status == .ok)
            #expect(reply.json["written"] == .number("2"))
            #expect(reply.json["failed"] == .number("5"))
            guard case .array(let errors)? = reply.json["errors"] else { Issue.record("no errors array"); return }
            let summary = errors.map { "\($0["index"]?.textValue ?? "?"):\($0["code"]?.stringValue ?? "?")" }
            #expect(summary == ["1:missing_id", "2:nul_character", "4:duplicate_id", "5:not_an_object", "6:invalid_id"])

            #expect(try await client.send(.get, "/v1/collections/articles/documents/a").json["document"]?["title"] == .string("alpha"))
            #expect(try await client.send(.get, "/v1/collections/articles/documents/nul").status == .notFound)
        }
    }

    @Test(arguments: TestEngine.allCases) func ndjsonBodiesAndLineNumbers(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles()
            let body = article("x", title: "ex", body: "one") + "\n\n{not json}\n" + article("y", title: "why", body: "two") + "\n"
            let reply = try await client.send(.post, "/v1/collections/articles/documents", json: body, contentType: "application/x-ndjson")
            #expect(reply.status == .ok)
            #expect(reply.json["written"] == .number("2"))
            #expect(reply.json["errors"] == .array([.object([
                "index": .number("1"), "line": .number("3"), "code": .string("invalid_json"),
                "message": reply.json["errors"]?[0]?["message"] ?? .null,
            ])]))
        }
    }

    @Test(arguments: TestEngine.allCases) func aBatchWithNothingWritableIs422AndOversizeIs413(engine: TestEngine) async throws {
        var configuration = APIConfiguration(maxBodyBytes: 64 * 1024, rateLimit: nil)
        configuration.documentLimits.maximumFieldBytes = 1_000
        try await APIFixture.serve(engine, configuration: configuration) { client in
            try await client.createArticles()
            let oversizedField = try await client.send(
                .post, "/v1/collections/articles/documents", json: article("big", title: "t", body: String(repeating: "word ", count: 400)))
            #expect(oversizedField.status == .unprocessableContent)
            #expect(oversizedField.errorCode == "invalid_documents")
            #expect(oversizedField.json["error"]?["details"]?[0]?["code"] == .string("field_too_large"))

            let tooLarge = try await client.send(.post, "/v1/collections/articles/documents", json: "[" + String(repeating: " ", count: 70_000) + "]")
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "payload_too_large")

            let invalidUTF8 = try await client.send(.post, "/v1/collections/articles/documents", bytes: Array(#"[{"id": "1", "title": ""#.utf8) + [0xC3, 0x28] + Array(#""}]"#.utf8))
            #expect(invalidUTF8.status == .unprocessableContent)
            #expect(invalidUTF8.json["error"]?["details"]?[0]?["code"] == .string("invalid_utf8"))

            let notDocuments = try await client.send(.post, "/v1/collections/articles/documents", json: "[1, 2")
            #expect(notDocuments.status == .badRequest)
            let empty = try await client.send(.post, "/v1/collections/articles/documents", json: "  ")
            #expect(empty.status == .badRequest)
            #expect(try await client.send(.get, "/v1/collections/articles").json["document_count"] == .number("0"))
        }
    }

    @Test func aVectorOverPostgresLimitsIsAPerDocumentError() async throws {
        var configuration = APIConfiguration(rateLimit: nil)
        configuration.documentLimits.maximumFieldBytes = 8 << 20
        try await APIFixture.with(configuration: configuration) { _, client in
            try await client.createArticles()
            // About 180,000 distinct words: the tsvector passes PostgreSQL's 1 MB limit.
            var words: [String] = []
            var state: UInt64 = 42
            for _ in 0..<180_000 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                words.append("w" + String(state >> 20, radix: 36))
            }
            let reply = try await client.send(.post, "/v1/collections/articles/documents", json: """
                [\(article("fine", title: "small", body: "document")), \(article("huge", title: "huge", body: words.joined(separator: " ")))]
                """)
            #expect(reply.status == .ok)
            #expect(reply.json["written"] == .number("1"))
            #expect(reply.json["errors"]?[0]?["code"] == .string("vector_too_large"))
            #expect(reply.json["errors"]?[0]?["id"] == .string("huge"))
        }
    }

    @Test(arguments: TestEngine.allCases) func deletedDocumentsStopMatchingAtOnce(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles([article("1", title: "Lantern fish", body: "deep sea"), article("2", title: "Lantern", body: "light")])
            #expect(try await client.send(.get, "/v1/collections/articles/search?q=lantern").json["estimated_total_hits"] == .number("2"))
            #expect(try await client.send(.delete, "/v1/collections/articles/documents/1").status == .ok)
            let after = try await client.send(.get, "/v1/collections/articles/search?q=lantern")
            #expect(after.json["hits"]?[0]?["id"] == .string("2"))
            #expect(after.json["estimated_total_hits"] == .number("1"))
            #expect(try await client.send(.delete, "/v1/collections/articles/documents/1").errorCode == "document_not_found")
            #expect(try await client.send(.get, "/v1/collections/articles/documents/1").status == .notFound)
        }
    }
}
