import Foundation
import PostgresSearch
import SearchCore
import Testing

@Suite struct QuerySemanticsTests {
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
        try await SearchFixture.with { fixture in
            try await fixture.add(Self.corpus)
            #expect(try await fixture.ids(#""quick brown""#) == ["fox"])
            #expect(try await fixture.ids(#""brown quick""#).isEmpty)
            #expect(try await fixture.ids(#""fox jumps""#) == ["fox"])
            // Stop words inside a phrase keep their place: "jumps over the lazy" spans four positions.
            #expect(try await fixture.ids(#""jumps over the lazy dog""#) == ["fox"])
            #expect(try await fixture.ids(#""jumps lazy""#) == [])
        }
    }

    @Test func orExclusionAndPrefix() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(Self.corpus)
            #expect(try await fixture.ids("fox OR bears") == ["fox", "bears", "news"])
            #expect(try await fixture.ids("fox -news") == ["fox"])
            #expect(try await fixture.ids(#"brown -"quick brown""#) == ["bears"])
            #expect(try await fixture.ids("datab*") == ["db"])
            #expect(try await fixture.ids("relat*") == ["db"])
            #expect(try await fixture.ids("e-mail") == ["mail"])
            // websearch_to_tsquery would drop the prefix; Loupe keeps it.
            #expect(try await fixture.ids("broadcast*") == ["news"])
        }
    }

    @Test func stopWordOnlyQueriesStillFindDocuments() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(Self.corpus)
            #expect(try await fixture.ids(#""the who""#) == ["band"])
            let hamlet = try await fixture.search("to be or not to be")
            #expect(hamlet.hits.first?.id == "band")
        }
    }

    @Test func autoFallsBackToAnyWhenAllCannotFillAPage() async throws {
        try await SearchFixture.with { fixture in
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
    }

    @Test func punctuationOnlyAndExclusionOnlyQueriesAreClearErrors() async throws {
        try await SearchFixture.with { fixture in
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
        }
    }

    @Test func bm25MatchesAHandComputedScoreAndExplainAddsUp() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add([
                "a": ["title": "alpha", "body": "beta beta gamma"],
                "b": ["title": "beta", "body": "delta"],
                "c": ["title": "gamma", "body": "epsilon zeta eta theta"],
            ])
            let page = try await fixture.search("beta") { $0.explain = true }
            #expect(page.hits.map(\.id) == ["a", "b"])
            // N = 3, df(beta) = 2, lengths 4, 2, 5 (flat class weights), avgdl = 11/3, k1 = 0.9, b = 0.4.
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
        }
    }

    @Test func tsRankAndCoverDensityAreSelectable() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add(Self.corpus)
            for ranking in [RankingFunction.tsRank, .tsRankCd] {
                let page = try await fixture.search("fox") { $0.ranking = ranking }
                #expect(Set(page.hits.map(\.id)) == ["fox", "news"])
                #expect(page.hits.allSatisfy { $0.score > 0 })
            }
        }
    }

    @Test func highlightsEscapeDocumentHTML() async throws {
        try await SearchFixture.with { fixture in
            try await fixture.add([
                "x": ["title": "<b>Foxes</b> & friends", "body": "A <script>alert('fox')</script> \"fox\" story"],
            ])
            let page = try await fixture.search("fox") {
                $0.highlight = HighlightRequest(fields: ["title", "body"])
            }
            let hit = try #require(page.hits.first)
            let title = try #require(hit.highlights["title"])
            let body = try #require(hit.highlights["body"])
            let html = (title.fragments + body.fragments).joined(separator: "\n")
            #expect(!html.contains("<script>"))
            #expect(!html.contains("<b>"))
            #expect(html.contains("&lt;script&gt;"))
            #expect(html.contains("<mark>Foxes</mark>"))
            #expect(html.contains("&amp;"))
            // Matches are code point ranges into the original field text.
            let scalars = Array("<b>Foxes</b> & friends".unicodeScalars)
            let first = try #require(title.matches.first)
            #expect(String(String.UnicodeScalarView(scalars[first])) == "Foxes")
        }
    }

    @Test func aFiveMegabyteFieldHighlightsQuickly() async throws {
        try await SearchFixture.with { fixture in
            let filler = String(repeating: "lorem ipsum dolor sit amet consectetur ", count: 130_000)
            #expect(filler.utf8.count > 5_000_000)
            try await fixture.add(["huge": ["title": "Big", "body": "the rare zebra appears early. " + filler + " zebra at the end"]])
            let start = ContinuousClock.now
            let page = try await fixture.search("zebra") { $0.highlight = HighlightRequest(fields: ["body"]) }
            let took = ContinuousClock.now - start
            let body = try #require(page.hits.first?.highlights["body"])
            #expect(body.matches == [9..<14])
            #expect(body.fragments.first?.contains("<mark>zebra</mark>") == true)
            // Bounded work: only the first 100 KB of the field are analysed, so the zebra at the end is not
            // among the matches above. The time check is only a loose sanity bound, robust to a loaded machine:
            // the page still carries the whole 5 MB document.
            #expect(took < .seconds(30), "highlighting a 5 MB field took \(took)")
        }
    }
}
