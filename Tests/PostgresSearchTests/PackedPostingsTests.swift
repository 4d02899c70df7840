import Foundation
import LoupeTestSupport
import PostgresClient
@testable import PostgresSearch
import SearchCore
import Testing

/// Ranking from packed postings (`PostingsPacker`, `PackedTopK`) against scoring every match: the same
/// documents in the same order with bit-equal scores, on every page, before and after writes the packs
/// do not hold, across rebuilds and whole-collection rewrites.
@Suite struct PackedPostingsTests {
    /// Engines over one fixture: `packed` ranks from packs whenever a collection has them (the exhaustive
    /// limits are 0), `full` scores every match, `unpacked` prunes without packs.
    struct Engines {
        let fixture: SearchFixture
        let packed: PostgresSearchEngine
        let full: PostgresSearchEngine
        let unpacked: PostgresSearchEngine

        init(_ fixture: SearchFixture, maskLimit: Int = 2_000) {
            self.fixture = fixture
            let authenticator = HMACCursorAuthenticator(secret: Array(repeating: 5, count: 32))
            func engine(_ configure: (inout PostgresSearchEngine.Options) -> Void) -> PostgresSearchEngine {
                var options = PostgresSearchEngine.Options()
                options.exhaustiveMatchLimit = 0
                options.exhaustiveConjunctionLimit = 0
                options.aggregatedPostingsLimit = 0
                options.packedMaskLimit = maskLimit
                configure(&options)
                return PostgresSearchEngine(pool: fixture.schema.pool, cursorAuthenticator: authenticator, options: options)
            }
            packed = engine { _ in }
            full = engine { $0.exhaustiveMatchLimit = .max; $0.exhaustiveConjunctionLimit = .max }
            unpacked = engine { $0.packedPostings = false }
        }

        /// Packs every lexeme in at least `minimum` documents.
        @discardableResult
        func pack(minimum: Int = 40) async throws -> PostingsPacker.Summary {
            var options = PostingsPacker.Options()
            options.minimumDocumentFrequency = minimum
            return try #require(try await PostingsPacker(pool: fixture.schema.pool, options: options).pack(collection: fixture.collection.id))
        }

        func count(_ table: String) async throws -> Int {
            try await fixture.schema.pool.query(PostgresQuery(unsafeSQL: "SELECT count(*) AS n FROM \(table)")).single()
                .decode(Int.self, column: "n")
        }

        /// Pages through `pages` pages with the packed engine and expects what scoring every match gives;
        /// returns whether the packs ranked (their totals are exact, the pruned strategies' estimated).
        @discardableResult
        func expectSame(_ query: String, match: MatchMode = .any, limit: Int = 10, pages: Int = 5) async throws -> Bool {
            var cursors: (String?, String?) = (nil, nil)
            var exact = true
            for pageNumber in 0..<pages {
                var request = SearchRequest(collection: "articles", query: query, limit: limit, match: match)
                request.cursor = cursors.0
                let fast = try await packed.search(request)
                request.cursor = cursors.1
                let slow = try await full.search(request)
                #expect(fast.hits.map(\.id) == slow.hits.map(\.id), "\(query) page \(pageNumber)")
                #expect(fast.hits.map(\.score) == slow.hits.map(\.score), "\(query) page \(pageNumber) scores")
                exact = exact && fast.totalIsExact
                if fast.totalIsExact {
                    #expect(fast.estimatedTotalHits == slow.estimatedTotalHits, "\(query) page \(pageNumber) total")
                }
                cursors = (fast.nextCursor, slow.nextCursor)
                #expect((cursors.0 == nil) == (cursors.1 == nil), "\(query) page \(pageNumber) cursor")
                if cursors.0 == nil || cursors.1 == nil { break }
            }
            return exact
        }

        func expectSameForTheUsualQueries() async throws {
            // One lexeme: read from the top of its impact-ordered list instead.
            try await expectSame("common", pages: 6)
            #expect(try await expectSame("common river", match: .all, pages: 6))
            #expect(try await expectSame("common river", match: .any, pages: 6))
            #expect(try await expectSame("common OR river stone", match: .all, pages: 4))
            // Ties: the fixed texts put hundreds of documents on a handful of exact scores.
            #expect(try await expectSame("river lantern", limit: 9, pages: 12))
            #expect(try await expectSame("stone market", match: .all, limit: 13, pages: 8))
            #expect(try await expectSame("river stone bridge market garden lantern harbor violin copper meadow falcon orchid"))
            // A rare lexeme (unpacked) beside common ones.
            #expect(try await expectSame("zircon common", match: .any, pages: 3))
        }
    }

    static func withEngines(maskLimit: Int = 2_000, _ body: (Engines) async throws -> Void) async throws {
        try await SearchFixture.with { fixture in
            var documents = TopKRankingTests.corpus(count: 3_000)
            // A lexeme too rare to pack.
            for n in 0..<20 { documents["z\(n)"] = ["title": "zircon common", "body": "river \(n)"] }
            try await fixture.add(documents)
            try await body(Engines(fixture, maskLimit: maskLimit))
        }
    }

    @Test func packedRankingMatchesExhaustiveScoring() async throws {
        try await Self.withEngines { engines in
            // No packs yet: the packed engine falls back to the pruned strategies.
            try await engines.expectSame("common", pages: 2)
            let summary = try await engines.pack()
            #expect(summary.lexemes > 10)
            #expect(summary.lexemes == (try await engines.count("packed_postings")))
            #expect(try await engines.count("packed_documents") == 3_020)
            try await engines.expectSameForTheUsualQueries()
            // Queries the postings cannot decide are left to the other strategies.
            try await engines.expectSame(#""common river""#, match: .all, pages: 3)
            try await engines.expectSame("common -stone", match: .all, pages: 3)
        }
    }

    @Test func writesAfterTheBuildAreMaskedUntilTheNext() async throws {
        try await Self.withEngines { engines in
            try await engines.pack()
            let fixture = engines.fixture
            // New documents, some copies of the fixed texts (ties with packed documents), changed and deleted ones.
            var written: [String: [String: Any]] = [:]
            for n in 0..<60 {
                written["new\(n)"] = n % 2 == 0
                    ? ["title": "common river lantern", "body": "river stone bridge market garden lantern"]
                    : ["title": "common stone \(n)", "body": "market river harbor \(n)"]
            }
            for n in stride(from: 1, to: 600, by: 10) {
                written["d\(n)"] = ["title": "common rewritten", "body": "river river stone \(n)"]
            }
            try await fixture.add(written)
            for n in stride(from: 3, to: 600, by: 10) {
                _ = try await fixture.store.delete("d\(n)", from: fixture.collection)
            }
            #expect(try await engines.count("postings_changes") >= 180)
            try await engines.expectSameForTheUsualQueries()

            // Below the threshold nothing is rebuilt; at it, the build folds the changes in.
            var options = PostingsPacker.Options()
            options.minimumDocumentFrequency = 40
            options.maximumChanges = 100_000
            #expect(try await PostingsPacker(pool: fixture.schema.pool, options: options).packStale().isEmpty)
            options.maximumChanges = 100
            let rebuilt = try await PostingsPacker(pool: fixture.schema.pool, options: options).packStale()
            #expect(rebuilt.count == 1)
            #expect((rebuilt.first?.changes ?? 0) >= 180)
            #expect(try await engines.count("postings_changes") == 0)
            #expect(try await engines.count("packed_documents") == 3_020)
            try await engines.expectSameForTheUsualQueries()
        }
    }

    @Test func cursorsCarryOnAcrossWritesAndARebuild() async throws {
        try await Self.withEngines { engines in
            try await engines.pack()
            let fixture = engines.fixture
            for (query, match) in [("common", MatchMode.any), ("river lantern", .any), ("stone market", .all)] {
                let request = SearchRequest(collection: "articles", query: query, limit: 25, match: match)
                let fastFirst = try await engines.packed.search(request)
                let slowFirst = try await engines.full.search(request)
                #expect(fastFirst.hits.map(\.id) == slowFirst.hits.map(\.id))
                // Between the pages: documents the cursor passed and documents ahead change, and the packs
                // are rebuilt, which numbers the documents afresh.
                try await fixture.add([
                    "late-\(query)": ["title": "common river lantern stone market", "body": "river stone market lantern"],
                    "d8": ["title": "common moved", "body": "stone market river lantern"],
                ])
                _ = try await fixture.store.delete("d12", from: fixture.collection)
                try await engines.pack()
                var next = request
                next.cursor = fastFirst.nextCursor
                let fast = try await engines.packed.search(next)
                next.cursor = slowFirst.nextCursor
                let slow = try await engines.full.search(next)
                #expect(fast.hits.map(\.id) == slow.hits.map(\.id), "\(query)")
                #expect(fast.hits.map(\.score) == slow.hits.map(\.score), "\(query) scores")
                #expect(Set(fast.hits.map(\.id)).isDisjoint(with: fastFirst.hits.map(\.id)), "\(query) repeats")
            }
        }
    }

    @Test func wholeCollectionRewritesForgetThePacks() async throws {
        try await Self.withEngines { engines in
            let pool = engines.fixture.schema.pool
            let id = engines.fixture.collection.id
            try await engines.pack()
            try await pool.query("SELECT refresh_search_impacts(\(id))")
            #expect(try await engines.count("packed_postings") == 0)
            #expect(try await engines.count("packed_documents") == 0)
            try await engines.expectSame("common river", match: .all, pages: 3)
            try await engines.pack()
            try await pool.query("SELECT rebuild_search_statistics(\(id))")
            #expect(try await engines.count("packed_postings") == 0)
            // Purging a packed collection takes its packs and changes along.
            try await engines.pack()
            try await engines.fixture.add(["extra": ["title": "common", "body": "river"]])
            try await pool.query("DELETE FROM collections WHERE id = \(id)")
            #expect(try await engines.count("packed_postings") == 0)
            #expect(try await engines.count("postings_changes") == 0)
        }
    }

    /// Every pack and document number a build wrote, as comparable text.
    static func packs(_ pool: PostgresConnectionPool) async throws -> [String] {
        let packs = try await pool.query("""
            SELECT lexeme || ' ' || posting_count || ' ' || md5(postings) AS pack FROM packed_postings ORDER BY lexeme
            """).map { try $0.decode(String.self, column: "pack") }
        let numbers = try await pool.query("""
            SELECT md5(string_agg(ordinal || ':' || document_id, ',' ORDER BY ordinal)) AS numbers FROM packed_documents
            """).single().decode(String.self, column: "numbers")
        return packs + [numbers]
    }

    @Test func listsReadAheadOnASecondConnectionPackTheSameAsListsReadByTheBuild() async throws {
        try await Self.withEngines { engines in
            let pool = engines.fixture.schema.pool
            let collection = engines.fixture.collection.id
            var options = PostingsPacker.Options()
            options.minimumDocumentFrequency = 40
            options.readAhead = 0
            let itself = try #require(try await PostingsPacker(pool: pool, options: options).pack(collection: collection))
            #expect(!itself.readAhead)
            let expected = try await Self.packs(pool)
            #expect(expected.count == itself.lexemes + 1)
            #expect(itself.lexemes > 10)

            // The numbering and the lists (one batch of up to 200 lexemes here) are read on the second connection.
            options.readAhead = 2
            let ahead = try #require(try await PostingsPacker(pool: pool, options: options).pack(collection: collection))
            #expect(ahead.readAhead)
            #expect(ahead.lexemes == itself.lexemes && ahead.postings == itself.postings)
            #expect(try await Self.packs(pool) == expected)

            // One connection in the pool, or none free: the build reads its lists itself.
            let single = engines.fixture.schema.makePool(maximumConnections: 1)
            let alone = try #require(try await PostingsPacker(pool: single, options: options).pack(collection: collection))
            await single.shutdown()
            #expect(!alone.readAhead)
            #expect(try await Self.packs(pool) == expected)
            let busy = PostgresConnectionPool(
                configuration: engines.fixture.schema.configuration,
                options: .init(maximumConnections: 2, checkoutTimeout: .milliseconds(300)))
            let crowded = try await busy.withConnection { _ in
                try await PostingsPacker(pool: busy, options: options).pack(collection: collection)
            }
            await busy.shutdown()
            #expect(crowded?.readAhead == false)
            #expect(try await Self.packs(pool) == expected)
            try await engines.expectSameForTheUsualQueries()
        }
    }

    /// The reader shares the build's snapshot: a document committed after the build took it, before the reader
    /// began, is in neither the build's numbering nor its lists (it stays masked). A reader with a snapshot of
    /// its own would list that document's postings, and the build would meet a document it did not number.
    @Test func theReaderSeesTheBuildsSnapshotNotLaterCommits() async throws {
        try await Self.withEngines { engines in
            let fixture = engines.fixture
            let (pool, name) = fixture.schema.namedPool("packer", maximumConnections: 2)
            let holder = fixture.schema.makePool(maximumConnections: 1)
            var options = PostingsPacker.Options()
            options.minimumDocumentFrequency = 40
            let packer = PostingsPacker(pool: pool, options: options), collection = fixture.collection.id
            var build: Task<PostingsPacker.Summary?, any Error>?
            try await holder.withTransaction { connection in
                // Stops the build at its list of lexemes, after it has taken its snapshot and before the reader starts.
                try await connection.query("LOCK TABLE term_statistics IN ACCESS EXCLUSIVE MODE")
                build = Task { try await packer.pack(collection: collection) }
                #expect(try await fixture.schema.waiting(named: name, atLeast: 1) == 1)
                let body = #"{"title": "common river late", "body": "river stone common"}"#
                try await connection.query("""
                    INSERT INTO documents (collection_id, external_id, document)
                    VALUES (\(fixture.collection.id), 'late', \(body)::jsonb)
                    """)
            }
            let summary = try await build?.value
            await holder.shutdown()
            await pool.shutdown()
            let built = try #require(summary)
            #expect(built.readAhead)
            #expect(try await engines.count("packed_documents") == 3_020)
            #expect(try await engines.count("postings_changes") == 1)
            try await engines.expectSame("common river", match: .any, pages: 3)
            #expect(try await engines.fixture.search("late").hits.map(\.id) == ["late"])
        }
    }

    @Test func tooManyChangesFallBackToTheRowStrategies() async throws {
        try await Self.withEngines(maskLimit: 5) { engines in
            try await engines.pack()
            var written: [String: [String: Any]] = [:]
            for n in 0..<10 { written["d\(4 * n + 1)"] = ["title": "common river", "body": "stone \(n)"] }
            try await engines.fixture.add(written)
            try await engines.expectSame("common river", match: .all, pages: 3)
            try await engines.pack()
            #expect(try await engines.expectSame("common river", match: .all, pages: 3))
        }
    }

    @Test func fullPaginationUnderWritesAndRebuildsSkipsAndRepeatsNothing() async throws {
        try await SearchFixture.with(maximumConnections: 6) { fixture in
            // 2,000 matches of two packed lexemes with many exact ties (five distinct bodies).
            var documents: [String: [String: Any]] = [:]
            for n in 0..<2_000 {
                documents["m\(n)"] = ["title": "harbor report \(n % 5)", "body": String(repeating: "harbor ", count: 1 + n % 5)]
            }
            try await fixture.add(documents)
            let packer = PostingsPacker(pool: fixture.schema.pool)
            #expect((try await packer.pack(collection: fixture.collection.id)?.lexemes ?? 0) >= 2)
            let changed = Set((0..<2_000).filter { $0 % 50 == 7 }.map { "m\($0)" })
            let deleted = Set((0..<2_000).filter { $0 % 50 == 13 }.map { "m\($0)" })
            var exact = 0
            var pages = 0
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await fixture.search("harbor report") { request in
                    request.match = .any
                    request.limit = 37
                    request.cursor = cursor
                }
                seen += page.hits.map(\.id)
                exact += page.totalIsExact ? 1 : 0
                cursor = page.nextCursor
                pages += 1
                // Between pages: new matches, changed and deleted ones, and now and then a rebuild that
                // numbers the documents afresh.
                try await fixture.add(["new-\(pages)": ["title": "harbor report", "body": "harbor harbor harbor"]])
                for id in changed.sorted().dropFirst((pages - 1) * 2).prefix(2) {
                    try await fixture.add([id: ["title": "harbor changed", "body": "report rewritten \(pages)"]])
                }
                for id in deleted.sorted().dropFirst((pages - 1) * 2).prefix(2) {
                    try await fixture.store.delete(id, from: fixture.collection)
                }
                if pages % 9 == 0 { _ = try await packer.pack(collection: fixture.collection.id) }
            } while cursor != nil && pages < 1_000
            #expect(seen.count == Set(seen).count, "a document came back twice")
            let unchanged = Set(documents.keys).subtracting(changed).subtracting(deleted)
            let missing = unchanged.subtracting(seen)
            #expect(missing.isEmpty, "unchanged documents skipped: \(missing.sorted().prefix(10))")
            // The packs ranked every page (their totals are exact).
            #expect(exact == pages)
        }
    }

    @Test func packedListsRoundTripAndRejectDamage() throws {
        var state: UInt64 = 11
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for (count, distinct) in [(0, 1), (1, 1), (300, 7), (5_000, 200), (5_000, 3_000)] {
            var ordinal: UInt32 = UInt32(next() % 5)
            var ordinals: [UInt32] = []
            for _ in 0..<count {
                ordinals.append(ordinal)
                ordinal += 1 + UInt32(next() % 300)
            }
            let values = (0..<distinct).map { _ in Double(next() % 1_000_000) / 7_777 + 0.1 }
            let impacts = ordinals.map { _ in values[Int(next() % UInt64(distinct))] }
            let pack = PostingsPack(ordinals: ordinals, impacts: impacts)
            let bytes = pack.encoded()
            let decoded = try PostingsPack(decoding: bytes)
            #expect(decoded.ordinals == ordinals)
            #expect(decoded.impacts.map(\.bitPattern) == impacts.map(\.bitPattern))
            if count > 0 {
                // Gaps under 300 take two bytes at most, impact indexes one or two; the distinct impacts are apart.
                let perPosting = Double(bytes.count - 8 * distinct - 6) / Double(count)
                #expect(perPosting <= (distinct > 256 ? 4 : 3), "\(count) postings took \(bytes.count) bytes")
                #expect(throws: PostingsPack.DecodingError.self) { try PostingsPack(decoding: Array(bytes.dropLast())) }
                #expect(throws: PostingsPack.DecodingError.self) { try PostingsPack(decoding: bytes + [0]) }
            }
        }
        #expect(throws: PostingsPack.DecodingError.self) { try PostingsPack(decoding: [0x80]) }
        // Two postings with the same ordinal (a zero gap).
        var repeated: [UInt8] = [2, 1]
        repeated += Array(repeating: 0, count: 8) + [5, 0, 0, 0]
        #expect(throws: PostingsPack.DecodingError.malformed("ordinals are not increasing")) { try PostingsPack(decoding: repeated) }
    }
}
