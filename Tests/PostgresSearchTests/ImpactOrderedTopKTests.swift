import Foundation
import LoupeTestSupport
import PostgresSearch
import SearchCore
import Testing

@Suite struct ImpactOrderedTopKTests {
    /// Zipf-like words so some lexemes are in most documents and others in a few.
    static func corpus(count: Int) -> [String: [String: Any]] {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let vocabulary = ["river", "stone", "bridge", "market", "garden", "lantern", "harbor", "violin", "copper",
                          "meadow", "falcon", "orchid", "glacier", "tunnel", "saffron", "compass", "ember", "quartz"]
        func word() -> String {
            // P(rank r) ~ 1/(r+1): the first words are common.
            let weights = vocabulary.indices.map { 1.0 / Double($0 + 1) }
            var pick = Double(next() % 1_000_000) / 1_000_000 * weights.reduce(0, +)
            for (index, weight) in weights.enumerated() {
                pick -= weight
                if pick <= 0 { return vocabulary[index] }
            }
            return vocabulary[0]
        }
        var documents: [String: [String: Any]] = [:]
        for n in 0..<count {
            let title = (0..<(1 + Int(next() % 4))).map { _ in word() }.joined(separator: " ")
            let body = (0..<(3 + Int(next() % 30))).map { _ in word() }.joined(separator: " ")
            documents["d\(n)"] = ["title": title, "body": body, "shelf": Int(next() % 4)]
        }
        return documents
    }

    @Test func topKMatchesExhaustiveScoringOnEveryPage() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(Self.corpus(count: 1_500))
            var eager = PostgresSearchEngine.Options()
            eager.exhaustiveMatchLimit = 0
            eager.exhaustiveConjunctionLimit = 0
            eager.aggregatedPostingsLimit = 0
            var exhaustive = PostgresSearchEngine.Options()
            exhaustive.exhaustiveMatchLimit = .max
            let authenticator = HMACCursorAuthenticator(secret: Array(repeating: 7, count: 32))
            let topK = PostgresSearchEngine(pool: fixture.schema.pool, cursorAuthenticator: authenticator, options: eager)
            let full = PostgresSearchEngine(pool: fixture.schema.pool, cursorAuthenticator: authenticator, options: exhaustive)
            let cases: [(String, MatchMode, [AttributeFilter])] = [
                ("river", .all, []), ("stone bridge", .any, []), ("stone bridge", .all, []),
                ("river -stone", .all, []), (#""river stone""#, .all, []), ("market OR glacier", .all, []),
                ("harb* violin", .any, []), ("river garden", .any, [.init(field: "shelf", condition: .equals(.number(2)))]),
                ("quartz ember compass", .auto, []),
            ]
            for (query, match, filters) in cases {
                var cursors: (String?, String?) = (nil, nil)
                for pageNumber in 0..<6 {
                    var request = SearchRequest(collection: "articles", query: query, limit: 25, match: match, filters: filters)
                    request.cursor = cursors.0
                    let fast = try await topK.search(request)
                    request.cursor = cursors.1
                    let slow = try await full.search(request)
                    #expect(fast.hits.map(\.id) == slow.hits.map(\.id), "\(query) page \(pageNumber)")
                    for (a, b) in zip(fast.hits, slow.hits) {
                        #expect(abs(a.score - b.score) < 1e-9, "\(query) page \(pageNumber) \(a.id)")
                    }
                    cursors = (fast.nextCursor, slow.nextCursor)
                    #expect((cursors.0 == nil) == (cursors.1 == nil))
                    if cursors.0 == nil { break }
                }
            }
        }
    }
}
