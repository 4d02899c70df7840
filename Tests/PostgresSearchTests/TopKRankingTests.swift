import Foundation
import LoupeTestSupport
import PostgresSearch
import SearchCore
import Testing

/// The pruned top-k strategies (impact-ordered rounds, MaxScore) against scoring every match: the same
/// documents in the same order with bit-equal scores, on every page, whichever strategy runs.
@Suite struct TopKRankingTests {
    /// Forty words with Zipf-like frequencies, "common" in nearly every document, and every fourth document
    /// a copy of one of eight fixed texts, so many documents tie exactly.
    static func corpus(count: Int) -> [String: [String: Any]] {
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let vocabulary = [
            "river", "stone", "bridge", "market", "garden", "lantern", "harbor", "violin", "copper", "meadow",
            "falcon", "orchid", "glacier", "tunnel", "saffron", "compass", "ember", "quartz", "willow", "anchor",
            "basalt", "cinder", "dune", "fjord", "grotto", "heron", "isle", "juniper", "kiln", "lagoon",
            "marble", "nectar", "oasis", "pebble", "quill", "reef", "summit", "thicket", "umber", "valley",
        ]
        let weights = vocabulary.indices.map { 1.0 / Double($0 + 2) }
        let totalWeight = weights.reduce(0, +)
        func word() -> String {
            var pick = Double(next() % 1_000_000) / 1_000_000 * totalWeight
            for (index, weight) in weights.enumerated() {
                pick -= weight
                if pick <= 0 { return vocabulary[index] }
            }
            return vocabulary[0]
        }
        let fixedTexts = (0..<8).map { n in
            (title: "common \(vocabulary[n]) \(vocabulary[n + 10])",
             body: (0..<(6 + n)).map { vocabulary[($0 * 7 + n) % vocabulary.count] }.joined(separator: " "))
        }
        var documents: [String: [String: Any]] = [:]
        for n in 0..<count {
            if n % 4 == 0 {
                let text = fixedTexts[Int(next() % 8)]
                documents["d\(n)"] = ["title": text.title, "body": text.body, "shelf": Int(next() % 3)]
                continue
            }
            var title = (0..<(1 + Int(next() % 3))).map { _ in word() }
            if next() % 20 != 0 { title.append("common") }
            let body = (0..<(4 + Int(next() % 25))).map { _ in word() }.joined(separator: " ")
            documents["d\(n)"] = ["title": title.joined(separator: " "), "body": body, "shelf": Int(next() % 3)]
        }
        return documents
    }

    /// A fixture with the corpus written as the API writes it (no statistics gathered yet: plans must not
    /// depend on them), and its engines.
    static func withEngines(_ body: (Engines) async throws -> Void) async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(corpus(count: 3_000))
            try await body(Engines(fixture))
        }
    }

    /// Engines over one fixture: every match scored, and pruned strategies pushed down each path.
    struct Engines {
        let full: PostgresSearchEngine
        let pruned: [(String, PostgresSearchEngine)]

        init(_ fixture: SearchFixture) {
            let authenticator = HMACCursorAuthenticator(secret: Array(repeating: 3, count: 32))
            func engine(_ configure: (inout PostgresSearchEngine.Options) -> Void) -> PostgresSearchEngine {
                var options = PostgresSearchEngine.Options()
                options.exhaustiveMatchLimit = 0
                options.exhaustiveConjunctionLimit = 0
                options.aggregatedPostingsLimit = 0
                configure(&options)
                return PostgresSearchEngine(pool: fixture.schema.pool, cursorAuthenticator: authenticator, options: options)
            }
            full = engine { $0.exhaustiveMatchLimit = .max; $0.exhaustiveConjunctionLimit = .max }
            pruned = [
                ("automatic", engine { _ in }),
                // One shallow round, then MaxScore with whatever theta it found.
                ("MaxScore", engine { $0.impactOrderedRounds = 1 }),
                // Rounds only, as deep as it takes.
                ("rounds", engine { $0.impactOrderedRounds = 12; $0.maximumPostingsRead = .max }),
                // One round, then one pass over the postings (an AND) or MaxScore (an OR).
                ("one pass", engine { $0.maximumPostingsRead = 0 }),
            ]
        }

        /// Pages through `pages` pages with each engine and expects what scoring every match gives.
        func expectSame(_ query: String, match: MatchMode = .any, limit: Int = 10, pages: Int = 5,
                        filters: [AttributeFilter] = []) async throws {
            for (name, engine) in pruned {
                var cursors: (String?, String?) = (nil, nil)
                for pageNumber in 0..<pages {
                    var request = SearchRequest(collection: "articles", query: query, limit: limit, match: match, filters: filters)
                    request.cursor = cursors.0
                    let fast = try await engine.search(request)
                    request.cursor = cursors.1
                    let slow = try await full.search(request)
                    #expect(fast.hits.map(\.id) == slow.hits.map(\.id), "\(name): \(query) page \(pageNumber)")
                    #expect(fast.hits.map(\.score) == slow.hits.map(\.score), "\(name): \(query) page \(pageNumber) scores")
                    cursors = (fast.nextCursor, slow.nextCursor)
                    #expect((cursors.0 == nil) == (cursors.1 == nil), "\(name): \(query) page \(pageNumber) cursor")
                    if cursors.0 == nil || cursors.1 == nil { break }
                }
            }
        }
    }

    @Test func manyTermUnionsMatchExhaustiveScoring() async throws {
        try await Self.withEngines { engines in
            try await engines.expectSame("river stone bridge market garden lantern harbor violin copper meadow falcon orchid")
            try await engines.expectSame("quartz willow anchor basalt cinder dune fjord grotto heron isle", limit: 7)
            try await engines.expectSame("common river stone bridge market garden lantern harbor", limit: 25, pages: 4)
        }
    }

    @Test func heavyTiesBreakOnIdAcrossPages() async throws {
        try await Self.withEngines { engines in
            // The fixed texts put hundreds of documents on a handful of exact scores.
            try await engines.expectSame("river lantern", limit: 9, pages: 12)
            try await engines.expectSame("stone market", match: .all, limit: 13, pages: 8)
            try await engines.expectSame("garden", limit: 50, pages: 10)
        }
    }

    @Test func highFrequencyTermsMatchExhaustiveScoring() async throws {
        try await Self.withEngines { engines in
            // "common" is in nearly every document, "river" in about a fifth.
            try await engines.expectSame("common", limit: 10, pages: 6)
            try await engines.expectSame("common river", match: .all, limit: 10, pages: 6)
            try await engines.expectSame("common river", match: .any, limit: 10, pages: 6)
            try await engines.expectSame("common OR river stone", match: .all, limit: 10, pages: 4)
        }
    }

    @Test func postingsAndDocumentsAgreeOnWhatMatchesAndHowItScores() async throws {
        try await Self.withEngines { engines in
            // Every document is on shelf 0, 1 or 2: the filter changes nothing but the path (documents
            // instead of postings decide the matches of these ORs).
            let everyShelf = AttributeFilter(field: "shelf", condition: .anyOf([.number(0), .number(1), .number(2)]))
            for query in ["common river", "river stone bridge", "garden OR falcon lantern"] {
                var request = SearchRequest(collection: "articles", query: query, limit: 40, match: .any)
                let byPostings = try await engines.full.search(request)
                request.filters = [everyShelf]
                let byDocuments = try await engines.full.search(request)
                #expect(byPostings.hits.map(\.id) == byDocuments.hits.map(\.id), "\(query)")
                #expect(byPostings.hits.map(\.score) == byDocuments.hits.map(\.score), "\(query) scores")
                #expect(byPostings.estimatedTotalHits == byDocuments.estimatedTotalHits, "\(query) total")
            }
        }
    }

    @Test func queriesOnlyDocumentsCanDecideMatchExhaustiveScoring() async throws {
        try await Self.withEngines { engines in
            try await engines.expectSame(#""common river""#, match: .all, limit: 10, pages: 4)
            try await engines.expectSame("common -stone", match: .all, limit: 10, pages: 4)
            try await engines.expectSame("riv* common", match: .any, limit: 10, pages: 4)
            try await engines.expectSame(
                "river stone bridge market", match: .any, limit: 10, pages: 4,
                filters: [.init(field: "shelf", condition: .equals(.number(1)))])
        }
    }
}
