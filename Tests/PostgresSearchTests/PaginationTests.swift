import Foundation
import LoupeTestSupport
import PostgresSearch
import SearchCore
import Testing

@Suite struct PaginationTests {
    /// Pages through every match with `limit`, returning ids in order.
    static func pageThrough(
        _ fixture: SearchFixture, _ query: String, limit: Int, between: (Int) async throws -> Void = { _ in },
        configure: @escaping (inout SearchRequest) -> Void = { _ in }
    ) async throws -> [String] {
        var seen: [String] = []
        var cursor: String?
        var pageNumber = 0
        repeat {
            let page = try await fixture.search(query) { request in
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

    @Test func fullPaginationUnderConcurrentWritesSkipsAndRepeatsNothing() async throws {
        try await SearchFixture.with(maximumConnections: 6) { fixture in
            // 2,000 matches with many exact score ties (only five distinct bodies).
            var documents: [String: [String: Any]] = [:]
            for n in 0..<2_000 {
                documents["m\(n)"] = ["title": "harbor report \(n % 5)", "body": String(repeating: "harbor ", count: 1 + n % 5)]
            }
            try await fixture.add(documents)
            let changed = Set((0..<2_000).filter { $0 % 50 == 7 }.map { "m\($0)" })
            let deleted = Set((0..<2_000).filter { $0 % 50 == 13 }.map { "m\($0)" })
            let seen = try await Self.pageThrough(fixture, "harbor", limit: 37) { page in
                // Between pages: new matches arrive, some matches change, some are deleted.
                try await fixture.add(["new-\(page)": ["title": "harbor", "body": "harbor harbor harbor"]])
                let batch = changed.sorted().dropFirst((page - 1) * 2).prefix(2)
                for id in batch {
                    try await fixture.add([id: ["title": "harbor changed", "body": "harbor rewritten \(page)"]])
                }
                for id in deleted.sorted().dropFirst((page - 1) * 2).prefix(2) {
                    try await fixture.store.delete(id, from: fixture.collection)
                }
            }
            #expect(seen.count == Set(seen).count, "a document came back twice")
            let unchanged = Set(documents.keys).subtracting(changed).subtracting(deleted)
            let missing = unchanged.subtracting(seen)
            #expect(missing.isEmpty, "unchanged documents skipped: \(missing.sorted().prefix(10))")
        }
    }

    @Test func laterPagesAreNotSlowerByOffset() async throws {
        try await SearchFixture.with { fixture in
            var documents: [String: [String: Any]] = [:]
            for n in 0..<500 { documents["d\(n)"] = ["title": "lighthouse \(n)", "body": "lighthouse keeper"] }
            try await fixture.add(documents)
            let all = try await Self.pageThrough(fixture, "lighthouse", limit: 10)
            #expect(all.count == 500)
            #expect(Set(all).count == 500)
        }
    }

    @Test func tamperedForgedAndCrossQueryCursorsAreRejected() async throws {
        try await SearchFixture.with { fixture in
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
            // Flip one character of the payload.
            var bytes = Array(cursor)
            bytes[3] = bytes[3] == "A" ? "B" : "A"
            #expect(await attempt(String(bytes))?.code == "invalid_cursor")
            #expect(await attempt("not-a-cursor")?.code == "invalid_cursor")
            #expect(await attempt(String(repeating: "x", count: 20_000))?.code == "invalid_cursor")
            // A cursor signed by another server's secret.
            let other = PostgresSearchEngine(pool: fixture.schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            let foreign = try #require(try await other.search(SearchRequest(collection: "articles", query: "orchard", limit: 5)).nextCursor)
            #expect(await attempt(foreign)?.code == "invalid_cursor")
            // The right server, but another query, ranking, match mode or filter.
            #expect(await attempt(cursor, query: "apple")?.code == "invalid_cursor")
            #expect(await attempt(cursor) { $0.ranking = .tsRank }?.code == "invalid_cursor")
            #expect(await attempt(cursor) { $0.match = .any }?.code == "invalid_cursor")
            #expect(await attempt(cursor) { $0.filters = [AttributeFilter(field: "x", condition: .equals(.number(1)))] }?.code == "invalid_cursor")
            // The genuine cursor still works, with a different page size too.
            let second = try await fixture.search("orchard") { $0.cursor = cursor; $0.limit = 7 }
            #expect(second.hits.count == 7)
            #expect(Set(second.hits.map(\.id)).isDisjoint(with: first.hits.map(\.id)))
        }
    }

    @Test func filtersAndAttributeSortPageCorrectly() async throws {
        try await SearchFixture.with { fixture in
            var documents: [String: [String: Any]] = [:]
            for n in 0..<60 {
                documents["r\(n)"] = [
                    "title": "recipe \(n)", "body": "soup recipe", "cuisine": ["thai", "french", "greek"][n % 3],
                    "minutes": n, "published": "2026-01-\(String(format: "%02d", 1 + n % 28))", "vegan": n % 2 == 0,
                ]
            }
            try await fixture.add(documents)
            let thai = try await fixture.ids("recipe") { $0.limit = 100; $0.filters = [.init(field: "cuisine", condition: .equals(.string("thai")))] }
            #expect(thai.count == 20)
            let either = try await fixture.ids("recipe") {
                $0.limit = 100
                $0.filters = [.init(field: "cuisine", condition: .anyOf([.string("thai"), .string("greek")])),
                              .init(field: "vegan", condition: .equals(.bool(true)))]
            }
            #expect(either.count == 20)
            let quick = try await fixture.ids("recipe") {
                $0.limit = 100
                $0.filters = [.init(field: "minutes", condition: .range(lower: .number(10), upper: .number(19.5)))]
            }
            #expect(quick == Set((10...19).map { "r\($0)" }))
            let january = try await fixture.ids("recipe") {
                $0.limit = 100
                $0.filters = [.init(field: "published", condition: .range(lower: .string("2026-01-27"), upper: nil))]
            }
            #expect(january.count == 4)
            let sorted = try await Self.pageThrough(fixture, "recipe", limit: 7, configure: {
                $0.sort = SortOrder(field: "minutes", descending: true)
            })
            #expect(sorted == (0..<60).reversed().map { "r\($0)" })
            let mixed = await #expect(throws: SearchError.self) {
                try await fixture.search("recipe") { $0.filters = [.init(field: "minutes", condition: .range(lower: .number(1), upper: .string("z")))] }
            }
            #expect(mixed?.code == "invalid_request")
        }
    }
}
