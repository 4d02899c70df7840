import PostgresClient
import LoupeTestSupport
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import PostgresSearch
import SearchAPI
import SearchCore
import Testing

@Suite struct SearchRoutesTests {
    @Test(arguments: TestEngine.allCases) func highlightedHitsWithEscapedHTMLAndMatchRanges(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles([
                article("1", title: "Web servers <script>alert(1)</script>", body: "A fast web server & proxy"),
                article("2", title: "Gardening", body: "Roses and tulips"),
            ])
            let reply = try await client.send(.get, "/v1/collections/articles/search?q=web+server")
            #expect(reply.status == .ok)
            let hit = try #require(reply.json["hits"]?[0])
            #expect(hit["id"] == .string("1"))
            #expect(hit["document"]?["title"] == .string("Web servers <script>alert(1)</script>"))
            let title = try #require(hit["highlights"]?["title"]?[0]?.stringValue)
            #expect(title == "<mark>Web</mark> <mark>servers</mark> &lt;script&gt;alert(1)&lt;/script&gt;")
            #expect(hit["highlights"]?["body"]?[0]?.stringValue == "A fast <mark>web</mark> <mark>server</mark> &amp; proxy")
            #expect(hit["matches"]?["title"] == .array([.array([.number("0"), .number("3")]), .array([.number("4"), .number("11")])]))
            #expect(reply.json["next_cursor"] == .null)
            #expect(reply.json["took_ms"]?.doubleValue != nil)

            let custom = try await client.send(.get, "/v1/collections/articles/search?q=roses&highlight=body&highlight_pre=%5B&highlight_post=%5D")
            #expect(custom.json["hits"]?[0]?["highlights"]?["body"]?[0] == .string("[Roses] and tulips"))
            let none = try await client.send(.get, "/v1/collections/articles/search?q=roses&highlight=none")
            #expect(none.json["hits"]?[0]?["highlights"] == .object([:]))
        }
    }

    @Test(arguments: TestEngine.allCases) func cursorsPageThroughEveryMatchOnceAndRefuseTampering(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles((0..<57).map { article("doc\($0)", title: "common topic \($0 % 5)", body: "words \($0)") })
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                var uri = "/v1/collections/articles/search?q=common&limit=10&highlight=none"
                if let cursor { uri += "&cursor=\(cursor)" }
                let page = try await client.send(.get, uri)
                #expect(page.status == .ok)
                guard case .array(let hits)? = page.json["hits"] else { break }
                seen += hits.compactMap { $0["id"]?.stringValue }
                cursor = page.json["next_cursor"]?.stringValue
                pages += 1
            } while cursor != nil && pages < 20
            #expect(seen.count == 57)
            #expect(Set(seen).count == 57)

            let first = try await client.send(.get, "/v1/collections/articles/search?q=common&limit=10")
            let valid = try #require(first.json["next_cursor"]?.stringValue)
            var tampered = Array(valid)
            tampered[tampered.count / 2] = tampered[tampered.count / 2] == "A" ? "B" : "A"
            let forged = try await client.send(.get, "/v1/collections/articles/search?q=common&cursor=\(String(tampered))")
            #expect(forged.status == .badRequest)
            #expect(forged.errorCode == "invalid_cursor")
            let crossQuery = try await client.send(.get, "/v1/collections/articles/search?q=topic&cursor=\(valid)")
            #expect(crossQuery.errorCode == "invalid_cursor")
        }
    }

    @Test(arguments: TestEngine.allCases) func postBodySearchWithFiltersAndSort(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles([
                article("old", title: "solar panels", body: "energy", year: 1990),
                article("mid", title: "solar power", body: "energy", year: 2005),
                article("new", title: "solar cells", body: "energy", year: 2021),
            ])
            let ranged = try await client.send(.post, "/v1/collections/articles/search", json: """
                {"q": "solar", "filter": [{"field": "year", "gte": 2000}], "sort": "year:desc", "highlight": false}
                """)
            #expect(ranged.status == .ok)
            #expect(ranged.json["hits"]?[0]?["id"] == .string("new"))
            #expect(ranged.json["hits"]?[1]?["id"] == .string("mid"))
            #expect(ranged.json["hits"]?[2] == nil)

            let byQueryString = try await client.send(.get, "/v1/collections/articles/search?q=solar&filter=year%3C%3D2005&filter=year%3E%3D2000")
            #expect(byQueryString.json["hits"]?[0]?["id"] == .string("mid"))
            #expect(byQueryString.json["estimated_total_hits"] == .number("1"))

            let anyOf = try await client.send(.get, "/v1/collections/articles/search?q=solar&filter=year:1990,2021&sort=year:asc")
            #expect(anyOf.json["hits"]?[0]?["id"] == .string("old"))
            #expect(anyOf.json["hits"]?[1]?["id"] == .string("new"))

            let explained = try await client.send(.post, "/v1/collections/articles/search", json: #"{"q": "solar energy", "explain": true, "limit": 1}"#)
            #expect(explained.json["hits"]?[0]?["explanation"]?["terms"]?[0]?["term"] != nil)
        }
    }

    @Test(arguments: TestEngine.allCases) func badParametersAre400sAndStopWordsStillFind(engine: TestEngine) async throws {
        try await APIFixture.serve(engine) { client in
            try await client.createArticles([article("1", title: "To be or not to be", body: "Hamlet")])
            for uri in [
                "/v1/collections/articles/search", "/v1/collections/articles/search?q=", "/v1/collections/articles/search?q=x&limit=0",
                "/v1/collections/articles/search?q=x&limit=101", "/v1/collections/articles/search?q=x&limit=ten",
                "/v1/collections/articles/search?q=x&colour=red", "/v1/collections/articles/search?q=x&match=some",
                "/v1/collections/articles/search?q=x&ranking=pagerank", "/v1/collections/articles/search?q=%FF%FE",
                "/v1/collections/articles/search?q=a%00b", "/v1/collections/articles/search?q=x&q=y",
                "/v1/collections/articles/search?q=x&filter=nonsense", "/v1/collections/articles/search?q=x&sort=year:sideways",
                "/v1/collections/articles/search?q=x&fragments=1000", "/v1/collections/articles/search?q=%2", 
                "/v1/collections/articles/search?q=\(String(repeating: "a", count: 5_000))",
                "/v1/collections/articles/search?q=...%20!!!",
            ] {
                let reply = try await client.send(.get, uri)
                #expect(reply.status == .badRequest, "\(uri.prefix(80)) gave \(reply.status)")
                #expect(reply.errorCode != nil)
            }
            let unknownBody = try await client.send(.post, "/v1/collections/articles/search", json: #"{"q": "x", "size": 3}"#)
            #expect(unknownBody.errorCode == "unknown_parameter")

            let stopWords = try await client.send(.get, "/v1/collections/articles/search?q=to+be+or+not+to+be")
            #expect(stopWords.json["hits"]?[0]?["id"] == .string("1"))
            #expect(try await client.send(.get, "/v1/collections/nowhere/search?q=x").status == .notFound)
        }
    }

    @Test func aRunawayQueryIsA503QueryTimeoutAndTheServerKeepsServing() async throws {
        var options = PostgresSearchEngine.Options()
        options.statementTimeout = .milliseconds(1)
        try await APIFixture.with(engineOptions: options) { fixture, client in
            try await client.createArticles()
            // Documents written directly: 3,000 rows whose words all share prefixes, so the query below has
            // to score every match with ts_rank_cd and cannot finish in a millisecond.
            try await fixture.schema.pool.query("""
                INSERT INTO documents (collection_id, external_id, document)
                SELECT c.id, 'd' || n, jsonb_build_object('title', 'alpha' || n || ' alphabet alpine', 'body', repeat('alpha beta gamma ', 200))
                FROM collections c, generate_series(1, 3000) AS n WHERE c.name = 'articles'
                """)
            let reply = try await client.send(.get, "/v1/collections/articles/search?q=alph*+OR+bet*+OR+gam*&ranking=ts_rank_cd&match=any")
            #expect(reply.status == .serviceUnavailable)
            #expect(reply.errorCode == "query_timeout")
            #expect(try await client.send(.get, "/health").status == .ok)
        }
    }
}
