import Foundation
@testable import InvertedIndex
import SearchCore
import Testing

/// A single-term query may be answered from the term's champion list; every page must still be the page the
/// exhaustive path gives, with the same scores and tie order, whichever way each segment went.
@Suite struct ChampionListTests {
    /// SplitMix64, so a failing corpus can be made again.
    struct Draws {
        var state: UInt64

        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + Int(z % UInt64(range.count))
        }
    }

    static let fillers = ["beacon", "pier", "tide", "gull", "rope", "anchor", "sail", "deck", "mast", "buoy", "keel", "quay"]

    /// `count` documents, "harbor" and "the" in nearly all of them (enough for a list in one segment), with
    /// counts and lengths spread so the best scores are not one big tie. Ids follow a permutation of the
    /// insertion order, so ties by id do not follow document numbers.
    static func corpus(count: Int, seed: UInt64, prefix: String = "doc") throws -> [SourceDocument] {
        var draws = Draws(state: seed)
        return try (0..<count).map { n in
            let harbors = draws.next(0...32) == 0 ? 0 : draws.next(1...12)
            var words = Array(repeating: "harbor", count: harbors)
            words += Array(repeating: "the", count: draws.next(0...32) == 0 ? 0 : draws.next(1...15))
            words += Array(repeating: "of", count: draws.next(0...9))
            words += (0..<draws.next(0...25)).map { _ in fillers[draws.next(0...(fillers.count - 1))] }
            let title = (0..<draws.next(1...2)).map { _ in fillers[draws.next(0...(fillers.count - 1))] }
            let object: [String: Any] = [
                "id": "\(prefix)-\((n * 7919) % count)", "title": title.joined(separator: " "), "body": words.joined(separator: " "),
            ]
            return try SourceDocument(try JSONParser.parse(Array(try JSONSerialization.data(withJSONObject: object))))
        }
    }

    static func populated() async throws -> MemoryEngineFixture {
        let fixture = try await MemoryEngineFixture.make()
        _ = try await fixture.engine.upsert(try corpus(count: 9_000, seed: 7), into: "articles")
        return fixture
    }

    /// Pages of `query` (at most `pages`), each path following the cursors it issues itself.
    static func pages(
        _ query: String, limit: Int = 10, pages: Int, engine: InMemorySearchEngine, snapshot: IndexSnapshot, pruning: Bool
    ) throws -> [SearchPage] {
        var result: [SearchPage] = []
        var cursor: String?
        repeat {
            var request = SearchRequest(collection: "articles", query: query, limit: limit)
            request.cursor = cursor
            let page = try engine.search(request, on: snapshot, pruning: pruning)
            result.append(page)
            cursor = page.nextCursor
        } while cursor != nil && result.count < pages
        return result
    }

    static func expectSamePages(
        _ queries: [String], limit: Int = 10, pages count: Int, engine: InMemorySearchEngine, snapshot: IndexSnapshot,
        _ context: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for query in queries {
            let fast = try pages(query, limit: limit, pages: count, engine: engine, snapshot: snapshot, pruning: true)
            let slow = try pages(query, limit: limit, pages: count, engine: engine, snapshot: snapshot, pruning: false)
            #expect(fast.count == count, "\(context): \(query) has \(count) pages", sourceLocation: sourceLocation)
            #expect(fast.map { $0.hits.map(\.id) } == slow.map { $0.hits.map(\.id) }, "\(context): \(query)", sourceLocation: sourceLocation)
            #expect(fast.map { $0.hits.map(\.score) } == slow.map { $0.hits.map(\.score) }, "\(context): \(query)", sourceLocation: sourceLocation)
        }
    }

    /// How many segments gave their share of `request`'s page from a champion list alone.
    static func championSegments(_ request: SearchRequest, engine: InMemorySearchEngine, snapshot: IndexSnapshot) throws -> Int {
        let (plan, keyset) = try engine.plan(request, on: snapshot)
        var search = RankedSearch(plan: plan, keyset: keyset)
        search.run()
        return search.championSegments
    }

    /// The request for page `number` (from 1) of `query`, with the cursor the pruned path issued.
    static func request(_ query: String, page number: Int, limit: Int = 10, engine: InMemorySearchEngine, snapshot: IndexSnapshot) throws -> SearchRequest {
        var request = SearchRequest(collection: "articles", query: query, limit: limit)
        if number > 1 {
            request.cursor = try pages(query, limit: limit, pages: number - 1, engine: engine, snapshot: snapshot, pruning: true).last?.nextCursor
        }
        return request
    }

    @Test func pagesFromChampionListsEqualTheExhaustiveRanking() async throws {
        let fixture = try await Self.populated()
        let engine = fixture.engine
        let snapshot = try engine.snapshot(of: "articles")
        let segment = try #require(snapshot.segments.first).segment
        #expect(snapshot.segments.count == 1)
        for (lists, index, lexeme) in [(segment.contentChampions, segment.content, "harbor"), (segment.stopChampions, segment.stopWords, "the")] {
            let ordinal = try #require(index.dictionary.ordinal(of: Array(lexeme.utf8)))
            #expect(Int(index.termFrequency[ordinal]) >= ChampionLists.minimumFrequency)
            let list = try #require(lists.list(ofTerm: ordinal), "\(lexeme) has a champion list")
            #expect(lists.champions(of: list).count == ChampionLists.size)
        }
        // Fourteen pages of ten reach past the 128 champions, so the later pages fall back to the full walk.
        try Self.expectSamePages(["harbor", "the", "harbor -beacon"], pages: 14, engine: engine, snapshot: snapshot, "one segment")
        try Self.expectSamePages(["harbor", "the"], limit: 100, pages: 3, engine: engine, snapshot: snapshot, "pages of 100")
        for query in ["harbor", "the", "harbor -beacon"] {
            let first = try Self.request(query, page: 1, engine: engine, snapshot: snapshot)
            #expect(try Self.championSegments(first, engine: engine, snapshot: snapshot) == 1, "\(query) page 1 from the list")
            let deep = try Self.request(query, page: 14, engine: engine, snapshot: snapshot)
            #expect(try Self.championSegments(deep, engine: engine, snapshot: snapshot) == 0, "\(query) page 14 past the list")
        }
    }

    @Test func deletionsAndANewSegmentKeepPagesExact() async throws {
        let fixture = try await Self.populated()
        let engine = fixture.engine
        let before = try engine.snapshot(of: "articles")
        // Delete the best champions of both lists and a spread of others, so deleted champions are skipped.
        var victims = Set<String>()
        for query in ["harbor", "the"] {
            let top = try Self.pages(query, limit: 40, pages: 1, engine: engine, snapshot: before, pruning: false)
            victims.formUnion(try #require(top.first).hits.prefix(25).map(\.id))
        }
        victims.formUnion(stride(from: 0, to: 9_000, by: 97).map { "doc-\($0)" })
        for id in victims.sorted() { try await engine.deleteDocument(id: id, from: "articles") }
        // A second, small segment has no lists: its share always comes from the full walk.
        _ = try await engine.upsert(try Self.corpus(count: 600, seed: 11, prefix: "late"), into: "articles")
        let snapshot = try engine.snapshot(of: "articles")
        #expect(snapshot.segments.count == 2)
        #expect(snapshot.segments[0].live.count == 9_000 - victims.count, "no merge rewrote the listed segment")
        try Self.expectSamePages(["harbor", "the", "harbor -beacon"], pages: 14, engine: engine, snapshot: snapshot, "after deletions")
        let first = try Self.request("harbor", page: 1, engine: engine, snapshot: snapshot)
        #expect(try Self.championSegments(first, engine: engine, snapshot: snapshot) == 1)
        let page = try engine.search(first, on: snapshot)
        #expect(page.hits.allSatisfy { !victims.contains($0.id) })
    }

    @Test func listsChosenUnderOtherSettingsStayExact() async throws {
        let fixture = try await Self.populated()
        let engine = fixture.engine
        let snapshot = try engine.snapshot(of: "articles")
        // Lists chosen for k1 = 2, b = 1 while searches score with 0.9 and 0.4: only the bound keeps pages exact.
        var skewed = snapshot
        let other = try Bm25Parameters(k1: 2, b: 1)
        skewed.segments[0].segment = skewed.segments[0].segment.choosingChampions(for: other)
        #expect(skewed.segments[0].segment.contentChampions != snapshot.segments[0].segment.contentChampions)
        try Self.expectSamePages(["harbor", "the"], pages: 14, engine: engine, snapshot: skewed, "lists for other settings")

        // New settings choose the lists again.
        _ = try await engine.updateCollection(named: "articles", CollectionUpdate(bm25: other))
        let updated = try engine.snapshot(of: "articles")
        #expect(updated.segments[0].segment.contentChampions == skewed.segments[0].segment.contentChampions)
        try Self.expectSamePages(["harbor", "the"], pages: 14, engine: engine, snapshot: updated, "new settings")
        let first = try Self.request("harbor", page: 1, engine: engine, snapshot: updated)
        #expect(try Self.championSegments(first, engine: engine, snapshot: updated) == 1)
    }

    @Test func loadingASnapshotChoosesTheSameLists() async throws {
        let fixture = try await Self.populated()
        try await fixture.engine.deleteDocument(id: "doc-17", from: "articles")
        let snapshot = try fixture.engine.snapshot(of: "articles")
        let loaded = try SnapshotFile.decode(try SnapshotFile.encode(snapshot))
        for (original, restored) in zip(snapshot.segments, loaded.segments) {
            #expect(restored.segment.contentChampions == original.segment.contentChampions)
            #expect(restored.segment.stopChampions == original.segment.stopChampions)
        }
        try Self.expectSamePages(["harbor", "the"], pages: 3, engine: fixture.engine, snapshot: loaded, "loaded")
    }

    @Test func impactFrontierKeepsExactlyThePairsNoOtherBeats() {
        var draws = Draws(state: 3)
        for _ in 0..<200 {
            let pairs = (0..<draws.next(1...60)).map { _ in (tf: Double(draws.next(1...9)), length: Double(draws.next(1...20))) }
            var frontier = ImpactFrontier()
            for pair in pairs { frontier.add(tf: pair.tf, length: pair.length) }
            var expected: [(tf: Double, length: Double)] = []
            for pair in pairs where !pairs.contains(where: { $0.tf >= pair.tf && $0.length <= pair.length && ($0.tf != pair.tf || $0.length != pair.length) }) {
                if !expected.contains(where: { $0 == pair }) { expected.append(pair) }
            }
            expected.sort { $0.tf > $1.tf }
            #expect(frontier.pairs.map(\.tf) == expected.map(\.tf))
            #expect(frontier.pairs.map(\.length) == expected.map(\.length))
        }
    }
}
