import Foundation
@testable import InvertedIndex
import SearchCore
import Testing

@Suite struct InMemoryPaginationTests {
    @Test func fullPaginationUnderConcurrentWritesSkipsAndRepeatsNothing() async throws {
        let fixture = try await MemoryEngineFixture.make()
        // 2,000 matches with many exact score ties (only five distinct bodies).
        var documents: [String: [String: Any]] = [:]
        for n in 0..<2_000 {
            documents["m\(n)"] = ["title": "harbor report \(n % 5)", "body": String(repeating: "harbor ", count: 1 + n % 5)]
        }
        try await fixture.add(documents)
        let changed = Set((0..<2_000).filter { $0 % 50 == 7 }.map { "m\($0)" })
        let deleted = Set((0..<2_000).filter { $0 % 50 == 13 }.map { "m\($0)" })
        for query in ["harbor", "harbor report"] {
            let seen = try await fixture.pageThrough(query, limit: 37) { page in
                // Between pages: new matches arrive, some matches change, some are deleted.
                try await fixture.add(["new-\(query)-\(page)": ["title": "harbor", "body": "harbor harbor harbor"]])
                for id in changed.sorted().dropFirst((page - 1) * 2).prefix(2) {
                    try await fixture.add([id: ["title": "harbor changed", "body": "harbor rewritten \(page)"]])
                }
                for id in deleted.sorted().dropFirst((page - 1) * 2).prefix(2) {
                    try? await fixture.engine.deleteDocument(id: id, from: "articles")
                }
            } configure: { $0.match = .any }
            #expect(seen.count == Set(seen).count, "a document came back twice")
            let unchanged = Set(documents.keys).subtracting(changed).subtracting(deleted)
            let missing = unchanged.subtracting(seen)
            #expect(missing.isEmpty, "unchanged documents skipped: \(missing.sorted().prefix(10))")
        }
    }

    @Test func everyPageOfAStaticIndexIsTheRankingInOrder() async throws {
        let fixture = try await MemoryEngineFixture.make()
        var documents: [String: [String: Any]] = [:]
        for n in 0..<500 {
            documents["d\(n)"] = ["title": "lighthouse \(n % 7)", "body": String(repeating: "keeper ", count: 1 + n % 9) + "lighthouse"]
        }
        try await fixture.add(documents)
        for query in ["lighthouse", "lighthouse keeper", "keeper OR lighthouse", "lighthouse*"] {
            let all = try await fixture.pageThrough(query, limit: 10)
            let single = try await fixture.search(query) { $0.limit = 100 }
            #expect(all.count == 500, "\(query)")
            #expect(Set(all).count == 500, "\(query)")
            #expect(Array(all.prefix(100)) == single.hits.map(\.id), "\(query)")
        }
    }

    @Test func tamperedForgedAndCrossQueryCursorsAreRejected() async throws {
        let fixture = try await MemoryEngineFixture.make()
        var documents: [String: [String: Any]] = [:]
        for n in 0..<30 { documents["d\(n)"] = ["title": "orchard \(n)", "body": "apple orchard"] }
        try await fixture.add(documents)
        let first = try await fixture.search("orchard") { $0.limit = 5 }
        let cursor = try #require(first.nextCursor)
        #expect(cursor.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }, "cursors are URL-safe")

        func attempt(_ text: String, query: String = "orchard", _ configure: @escaping (inout SearchRequest) -> Void = { _ in }) async -> SearchError? {
            await #expect(throws: SearchError.self) {
                try await fixture.search(query) { request in
                    configure(&request)
                    request.limit = 5
                    request.cursor = text
                }
            }
        }
        var bytes = Array(cursor)
        bytes[3] = bytes[3] == "A" ? "B" : "A"
        #expect(await attempt(String(bytes))?.code == "invalid_cursor")
        #expect(await attempt("not-a-cursor")?.code == "invalid_cursor")
        #expect(await attempt(String(repeating: "x", count: 20_000))?.code == "invalid_cursor")
        let other = try await MemoryEngineFixture.make()
        try await other.add(documents)
        let foreign = try #require(try await other.search("orchard") { $0.limit = 5 }.nextCursor)
        #expect(await attempt(foreign)?.code == "invalid_cursor")
        #expect(await attempt(cursor, query: "apple")?.code == "invalid_cursor")
        #expect(await attempt(cursor) { $0.match = .any }?.code == "invalid_cursor")
        #expect(await attempt(cursor) { $0.filters = [AttributeFilter(field: "x", condition: .equals(.number(1)))] }?.code == "invalid_cursor")
        let second = try await fixture.search("orchard") { $0.cursor = cursor; $0.limit = 7 }
        #expect(second.hits.count == 7)
        #expect(Set(second.hits.map(\.id)).isDisjoint(with: first.hits.map(\.id)))
    }
}
