import Foundation
@testable import InvertedIndex
import SearchCore

/// A keyed digest good enough to tell cursors apart in tests (the server uses HMAC-SHA256).
struct TestAuthenticator: MessageAuthenticator {
    let key: UInt64

    static func random() -> TestAuthenticator { TestAuthenticator(key: UInt64.random(in: 1...UInt64.max)) }

    func authenticationCode(for message: [UInt8]) -> [UInt8] {
        var digest: [UInt8] = []
        for lane in 0..<4 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ key &+ UInt64(lane)
            for byte in message {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= key
            hash = (hash ^ (hash >> 29)) &* 0xBF58_476D_1CE4_E5B9
            for shift in stride(from: 0, to: 64, by: 8) { digest.append(UInt8(truncatingIfNeeded: hash >> UInt64(shift))) }
        }
        return digest
    }
}

/// An in-memory engine with one collection (`title` weighs A, `body` B).
struct MemoryEngineFixture {
    let engine: InMemorySearchEngine

    static func make(
        fields: [(String, FieldWeight)] = [("title", .a), ("body", .b)], language: TextSearchLanguage = .english
    ) async throws -> MemoryEngineFixture {
        let engine = InMemorySearchEngine(cursorAuthenticator: TestAuthenticator.random())
        _ = try await engine.createCollection(try CollectionDefinition(
            name: CollectionName("articles"), fields: try fields.map { try SearchableField(name: $0.0, weight: $0.1) },
            language: language))
        return MemoryEngineFixture(engine: engine)
    }

    static func documents(_ documents: [String: [String: Any]]) throws -> [SourceDocument] {
        try documents.sorted { $0.key < $1.key }.map { id, fields in
            var object = fields
            object["id"] = id
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return try SourceDocument(try JSONParser.parse(Array(data)))
        }
    }

    @discardableResult
    func add(_ documents: [String: [String: Any]]) async throws -> DocumentWriteResult {
        try await engine.upsert(try Self.documents(documents), into: "articles")
    }

    func search(_ query: String, _ configure: (inout SearchRequest) -> Void = { _ in }) async throws -> SearchPage {
        var request = SearchRequest(collection: "articles", query: query)
        configure(&request)
        return try await engine.search(request)
    }

    func ids(_ query: String, _ configure: (inout SearchRequest) -> Void = { _ in }) async throws -> Set<String> {
        Set(try await search(query, configure).hits.map(\.id))
    }

    /// Pages through every match with `limit`, returning ids in order.
    func pageThrough(
        _ query: String, limit: Int, between: (Int) async throws -> Void = { _ in },
        configure: @escaping (inout SearchRequest) -> Void = { _ in }
    ) async throws -> [String] {
        var seen: [String] = []
        var cursor: String?
        var pageNumber = 0
        repeat {
            let page = try await search(query) { request in
                configure(&request)
                request.limit = limit
                request.cursor = cursor
            }
            seen.append(contentsOf: page.hits.map(\.id))
            cursor = page.nextCursor
            pageNumber += 1
            try await between(pageNumber)
        } while cursor != nil && pageNumber < 10_000
        return seen
    }
}
