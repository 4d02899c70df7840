import Foundation
@testable import InvertedIndex
import SearchCore
import Testing

@Suite struct InMemorySemanticsTests {
    static var corpus: [String: [String: Any]] {
        [
            "fox": ["title": "Quick brown fox", "body": "The fox jumps over the lazy dog"],
            "bears": ["title": "Brown bears", "body": "A quick look at bears in the wild"],
            "db": ["title": "Database systems", "body": "Postgres is a relational database"],
            "news": ["title": "Fox news", "body": "Unrelated broadcasting"],
            "band": ["title": "The Who", "body": "A band from London. To be or not to be."],
            "mail": ["title": "E-mail etiquette", "body": "Write short messages"],
        ]
    }

    @Test func phrasesEnforceOrderAndAdjacency() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add(Self.corpus)
        #expect(try await fixture.ids(#""quick brown""#) == ["fox"])
        #expect(try await fixture.ids(#""brown quick""#).isEmpty)
        #expect(try await fixture.ids(#""fox jumps""#) == ["fox"])
        // Stop words inside a phrase keep their place: "jumps over the lazy" spans four positions.
        #expect(try await fixture.ids(#""jumps over the lazy dog""#) == ["fox"])
        #expect(try await fixture.ids(#""jumps lazy""#) == [])
        // As in PostgreSQL, the body's positions continue after the title's: a phrase can span them.
        // ("The" opens the body at position 4, after the title's three words.)
        #expect(try await fixture.ids(#""brown fox the fox jumps""#) == ["fox"])
        #expect(try await fixture.ids(#""brown fox fox jumps""#).isEmpty)
    }

    @Test func orExclusionAndPrefix() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add(Self.corpus)
        #expect(try await fixture.ids("fox OR bears") == ["fox", "bears", "news"])
        #expect(try await fixture.ids("fox -news") == ["fox"])
        #expect(try await fixture.ids(#"brown -"quick brown""#) == ["bears"])
        #expect(try await fixture.ids("datab*") == ["db"])
        #expect(try await fixture.ids("relat*") == ["db"])
        #expect(try await fixture.ids("e-mail") == ["mail"])
        #expect(try await fixture.ids("broadcast*") == ["news"])
        // Inside quotes `*` is dropped: the phrase is "quick brow".
        #expect(try await fixture.ids("\"quick brow*\"").isEmpty)
        #expect(try await fixture.ids("quick fox -\"fox news\"") { $0.match = .any } == ["fox", "bears"])
    }

    @Test func stopWordOnlyQueriesStillFindDocuments() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add(Self.corpus)
        #expect(try await fixture.ids(#""the who""#) == ["band"])
        let hamlet = try await fixture.search("to be or not to be")
        #expect(hamlet.hits.first?.id == "band")
        // A stop word with `*` is a prefix of indexed words, not a stop-word query.
        #expect(try await fixture.ids("the*").isEmpty)
    }

    @Test func autoFallsBackToAnyWhenAllCannotFillAPage() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add(Self.corpus)
        let page = try await fixture.search("fox bears")
        #expect(page.matchUsed == .any)
        #expect(Set(page.hits.map(\.id)) == ["fox", "bears", "news"])
        let strict = try await fixture.search("fox bears") { $0.match = .all }
        #expect(strict.hits.isEmpty)
        let one = try await fixture.search("quick fox") { $0.limit = 1 }
        #expect(one.matchUsed == .all)
        #expect(one.hits.map(\.id) == ["fox"])
    }

    @Test func badQueriesAreClearErrors() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add(Self.corpus)
        for query in ["", "   ", "!!! ... ---", "-fox", "\"\""] {
            let error = await #expect(throws: SearchError.self) { try await fixture.search(query) }
            #expect(error?.code == "invalid_request", "query \(query.debugDescription)")
        }
        let missing = await #expect(throws: SearchError.self) {
            try await fixture.engine.search(SearchRequest(collection: "nope", query: "fox"))
        }
        #expect(missing == .collectionNotFound("nope"))
        let limit = await #expect(throws: SearchError.self) { try await fixture.search("fox") { $0.limit = 1000 } }
        #expect(limit?.code == "invalid_request")
        let ranking = await #expect(throws: SearchError.self) { try await fixture.search("fox") { $0.ranking = .tsRank } }
        #expect(ranking?.code == "invalid_request")
        let german = await #expect(throws: SearchError.self) {
            try await fixture.engine.createCollection(try CollectionDefinition(
                name: CollectionName("de"), fields: [SearchableField(name: "text", weight: .a)], language: .german))
        }
        #expect(german?.code == "invalid_settings")
    }

    @Test func bm25MatchesAHandComputedScoreAndExplainAddsUp() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add([
            "a": ["title": "alpha", "body": "beta beta gamma"],
            "b": ["title": "beta", "body": "delta"],
            "c": ["title": "gamma", "body": "epsilon zeta eta theta"],
        ])
        let page = try await fixture.search("beta") { $0.explain = true }
        #expect(page.hits.map(\.id) == ["a", "b"])
        let idf = log(1 + (3 - 2 + 0.5) / (2 + 0.5))
        func bm25(_ tf: Double, _ length: Double) -> Double {
            idf * tf * 1.9 / (tf + 0.9 * (1 - 0.4 + 0.4 * length / (11.0 / 3)))
        }
        #expect(abs(page.hits[0].score - bm25(2, 4)) < 1e-9)
        #expect(abs(page.hits[1].score - bm25(1, 2)) < 1e-9)
        let explanation = try #require(page.hits[0].explanation)
        #expect(abs(explanation.total - page.hits[0].score) < 1e-9)
        #expect(explanation.terms.map(\.term) == ["beta"])
        #expect(explanation.terms[0].frequencies == ["B": 2])
        #expect(explanation.terms[0].documentFrequency == 2)
        #expect(page.totalIsExact && page.estimatedTotalHits == 2)
    }

    @Test func highlightsEscapeDocumentHTML() async throws {
        let fixture = try await MemoryEngineFixture.make()
        try await fixture.add([
            "x": ["title": "<b>Foxes</b> & friends", "body": "A <script>alert('fox')</script> \"fox\" story"],
        ])
        let page = try await fixture.search("fox") { $0.highlight = HighlightRequest(fields: [HighlightRequest.allFields]) }
        let hit = try #require(page.hits.first)
        let title = try #require(hit.highlights["title"])
        let body = try #require(hit.highlights["body"])
        let html = (title.fragments + body.fragments).joined(separator: "\n")
        #expect(!html.contains("<script>"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("<mark>Foxes</mark>"))
        #expect(html.contains("&amp;"))
        let scalars = Array("<b>Foxes</b> & friends".unicodeScalars)
        let first = try #require(title.matches.first)
        #expect(String(String.UnicodeScalarView(scalars[first])) == "Foxes")
    }

    @Test func filtersAndAttributeSort() async throws {
        let fixture = try await MemoryEngineFixture.make()
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
        let sorted = try await fixture.pageThrough("recipe", limit: 7, configure: { $0.sort = SortOrder(field: "minutes", descending: true) })
        #expect(sorted == (0..<60).reversed().map { "r\($0)" })
        let bad = await #expect(throws: SearchError.self) {
            try await fixture.search("recipe") { $0.filters = [.init(field: "minutes", condition: .range(lower: .number(1), upper: .string("x")))] }
        }
        #expect(bad?.code == "invalid_request")
    }

    @Test func replacingAndDeletingKeepStatisticsExact() async throws {
        // One engine written in many small batches with replacements and deletions (merges included) and
        // one written once with the final documents must rank and score identically.
        let churned = try await MemoryEngineFixture.make()
        var final: [String: [String: Any]] = [:]
        let words = ["river", "stone", "bridge", "lantern", "harbor", "meadow", "quarry", "orchard"]
        for round in 0..<40 {
            var batch: [String: [String: Any]] = [:]
            for n in 0..<25 {
                let id = "d\((round * 17 + n * 7) % 300)"
                let text = (0..<(1 + (round + n) % 6)).map { words[($0 * 3 + round + n) % words.count] }.joined(separator: " ")
                batch[id] = ["title": words[(round + n) % words.count], "body": text]
            }
            try await churned.add(batch)
            final.merge(batch) { $1 }
            if round % 3 == 0 {
                let victim = "d\((round * 31) % 300)"
                if final.removeValue(forKey: victim) != nil {
                    try await churned.engine.deleteDocument(id: victim, from: "articles")
                }
            }
        }
        let fresh = try await MemoryEngineFixture.make()
        try await fresh.add(final)
        let snapshot = try churned.engine.snapshot(of: "articles")
        #expect(snapshot.segments.count < 16, "segments were merged")
        #expect(try await churned.engine.collection(named: "articles").documentCount == final.count)
        for query in ["river", "stone bridge", "lantern OR meadow", "\"river stone\"", "quar*", "harbor -orchard"] {
            for match in [MatchMode.all, .any] {
                let a = try await churned.search(query) { $0.limit = 50; $0.match = match }
                let b = try await fresh.search(query) { $0.limit = 50; $0.match = match }
                #expect(a.hits.map(\.id) == b.hits.map(\.id), "\(query) \(match)")
                #expect(a.hits.map(\.score) == b.hits.map(\.score), "\(query) \(match)")
            }
        }
        let missing = await #expect(throws: SearchError.self) { try await churned.engine.deleteDocument(id: "nope", from: "articles") }
        #expect(missing == .documentNotFound("nope"))
    }

    @Test func prunedTopKEqualsExhaustiveRanking() async throws {
        // Enough documents for several blocks per term, and k much smaller than the matches.
        let fixture = try await MemoryEngineFixture.make()
        var generator = SystemRandomNumberGenerator()
        let vocabulary = (0..<60).map { "w\($0)x" }
        var documents: [String: [String: Any]] = [:]
        for n in 0..<3_000 {
            let length = Int.random(in: 1...30, using: &generator)
            // Zipf-like: low word numbers are common.
            let body = (0..<length).map { _ in vocabulary[Int(Double(vocabulary.count) * pow(Double.random(in: 0..<1, using: &generator), 3))] }
            documents["doc\(n)"] = ["title": vocabulary[n % 60], "body": body.joined(separator: " ")]
        }
        try await fixture.add(documents)
        let snapshot = try fixture.engine.snapshot(of: "articles")
        for query in ["w0x", "w1x w2x", "w0x w5x w30x", "w3x OR w40x OR w59x", "w0x -w1x"] {
            for match in [MatchMode.all, .any] {
                let request = SearchRequest(collection: "articles", query: query, limit: 10, match: match)
                let fast = try fixture.engine.search(request, on: snapshot)
                let slow = try fixture.engine.search(request, on: snapshot, pruning: false)
                #expect(fast.hits.map(\.id) == slow.hits.map(\.id), "\(query) \(match)")
                #expect(fast.hits.map(\.score) == slow.hits.map(\.score), "\(query) \(match)")
            }
        }
    }
}
