import Foundation
@testable import InvertedIndex
import SearchCore
import Testing

@Suite struct SnapshotPersistenceTests {
    static let queries = ["harbor", "keeper lighthouse", "\"harbor report\"", "harb*", "lighthouse -keeper", "the", "harbor | storm"]

    /// Several segments, a replaced document and a deleted one, so the file holds live bitsets and deleted
    /// term frequencies as well as postings.
    static func populatedFixture() async throws -> MemoryEngineFixture {
        let fixture = try await MemoryEngineFixture.make()
        for batch in 0..<3 {
            var documents: [String: [String: Any]] = [:]
            for n in 0..<40 {
                documents["b\(batch)-\(n)"] = [
                    "title": "harbor report \(n % 5) lighthouse",
                    "body": String(repeating: "keeper ", count: 1 + n % 4) + "the storm over the harbors \(batch)",
                ]
            }
            try await fixture.add(documents)
        }
        try await fixture.add(["b1-3": ["title": "lighthouse rebuilt", "body": "no keeper now"]])
        try await fixture.engine.deleteDocument(id: "b2-7", from: "articles")
        return fixture
    }

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("loupe-snapshot-\(UUID().uuidString)")
    }

    static func encoded(_ fixture: MemoryEngineFixture) throws -> [UInt8] {
        try SnapshotFile.encode(try fixture.engine.snapshot(of: "articles"))
    }

    /// Recomputes the header checksum, as someone crafting a file would.
    static func resign(_ bytes: inout [UInt8]) {
        let checksum = SnapshotChecksum.hash(bytes, from: SnapshotFile.headerSize, to: bytes.count)
        for shift in 0..<8 { bytes[24 + shift] = UInt8(truncatingIfNeeded: checksum >> UInt64(shift * 8)) }
    }

    static func decodeError(_ bytes: [UInt8]) -> SnapshotError? {
        do {
            _ = try SnapshotFile.decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func aLoadedCollectionSearchesExactlyLikeTheSavedOne() async throws {
        let fixture = try await Self.populatedFixture()
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try fixture.engine.saveAll(to: directory)
        let authenticator = TestAuthenticator.random()
        let original = InMemorySearchEngine(cursorAuthenticator: authenticator)
        try original.load(collectionFrom: InMemorySearchEngine.snapshotFile(for: "articles", in: directory))
        let loaded = try InMemorySearchEngine(loadingFrom: directory, cursorAuthenticator: authenticator)

        #expect(try await loaded.collections() == original.collections())
        #expect(try loaded.footprint(of: "articles") == fixture.engine.footprint(of: "articles"))
        #expect(try loaded.snapshot(of: "articles").segments.count == fixture.engine.snapshot(of: "articles").segments.count)
        #expect(try await loaded.document(id: "b1-3", in: "articles") == fixture.engine.document(id: "b1-3", in: "articles"))
        await #expect(throws: SearchError.documentNotFound("b2-7")) { try await loaded.document(id: "b2-7", in: "articles") }

        let reference = MemoryEngineFixture(engine: original)
        let restored = MemoryEngineFixture(engine: loaded)
        for query in Self.queries {
            for match in [MatchMode.all, .any] {
                let configure: (inout SearchRequest) -> Void = { request in
                    request.limit = 7
                    request.explain = true
                    request.match = match
                }
                let expected = try await fixture.search(query, configure)
                let actual = try await restored.search(query, configure)
                #expect(actual.hits == expected.hits, "\(query) \(match)")
                #expect(actual.estimatedTotalHits == expected.estimatedTotalHits)
                // Same authenticator, same snapshot: the very same cursors.
                #expect(try await reference.search(query, configure) == actual)
                let pages = try await restored.pageThrough(query, limit: 9, configure: { $0.match = match })
                #expect(try await fixture.pageThrough(query, limit: 9, configure: { $0.match = match }) == pages)
            }
        }
        // A cursor from the engine that saved the file keeps paging in the one that loaded it.
        let first = try await reference.search("harbor") { $0.limit = 10 }
        let next = try await restored.search("harbor") { request in
            request.limit = 10
            request.cursor = first.nextCursor
        }
        #expect(next.hits.count == 10)
        #expect(Set(next.hits.map(\.id)).isDisjoint(with: first.hits.map(\.id)))

        // Writes go on after a load.
        try await restored.add(["z": ["title": "harbor harbor", "body": "harbor"]])
        try await restored.engine.deleteDocument(id: "b0-1", from: "articles")
        #expect(try await restored.ids("harbor").contains("z"))
        #expect(try await restored.ids("harbor") { $0.limit = 100 }.contains("b0-1") == false)
    }

    @Test func loadingAnExistingCollectionOrAMissingFileFails() async throws {
        let fixture = try await Self.populatedFixture()
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = InMemorySearchEngine.snapshotFile(for: "articles", in: directory)
        try fixture.engine.saveAll(to: directory)
        // Saving again replaces the file in place.
        try fixture.engine.save(collection: "articles", to: file)
        #expect(throws: SearchError.collectionExists("articles")) { try fixture.engine.load(collectionFrom: file) }
        #expect(throws: SearchError.collectionNotFound("nope")) { try fixture.engine.save(collection: "nope", to: file) }
        let engine = InMemorySearchEngine(cursorAuthenticator: TestAuthenticator.random())
        #expect {
            try engine.load(collectionFrom: directory.appendingPathComponent("missing.loupe-snapshot"))
        } throws: { error in
            if case SnapshotError.io = error { return true }
            return false
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["articles.loupe-snapshot"], "temporary files left behind")
    }

    @Test func aTruncatedFileIsReportedAsTruncated() async throws {
        let bytes = try Self.encoded(try await Self.populatedFixture())
        var cuts = Array(0..<min(bytes.count, 64))
        cuts += Array(stride(from: 64, to: bytes.count, by: 7))
        cuts += Array(max(0, bytes.count - 64)..<bytes.count)
        for cut in cuts {
            #expect(Self.decodeError(Array(bytes.prefix(cut))) == .truncated, "cut at \(cut) of \(bytes.count)")
        }
        #expect(Self.decodeError(bytes) == nil)
    }

    @Test func aFlippedByteAnywhereIsAnErrorNeverACrash() async throws {
        let bytes = try Self.encoded(try await Self.populatedFixture())
        for offset in 0..<bytes.count {
            for flip: UInt8 in [0x01, 0x80] {
                var damaged = bytes
                damaged[offset] ^= flip
                let error = Self.decodeError(damaged)
                switch offset {
                case 0..<8: #expect(error == .badMagic)
                case 8..<12: #expect(error == .unsupportedVersion(1 ^ UInt32(flip) << UInt32(8 * (offset - 8))))
                case 12..<16: #expect(error == .corrupt("unknown flags are set"))
                case 16..<24: #expect(error == .truncated || error == .corrupt("\(bytes.count - 32 - Self.payloadLength(damaged)) bytes follow the payload"), "\(offset)")
                default: #expect(error == .checksumMismatch, "offset \(offset)")
                }
            }
        }
    }

    static func payloadLength(_ bytes: [UInt8]) -> Int {
        (0..<8).reduce(0) { $0 | Int(bytes[16 + $1]) << ($1 * 8) }
    }

    @Test func wrongMagicAndVersionAreNamed() async throws {
        let bytes = try Self.encoded(try await Self.populatedFixture())
        var other = bytes
        other.replaceSubrange(0..<8, with: Array("PK\u{3}\u{4}ZIPS".utf8))
        #expect(Self.decodeError(other) == .badMagic)
        #expect(Self.decodeError(Array("{\"not\": \"a snapshot\"}".utf8)) == .badMagic)
        #expect(Self.decodeError([]) == .truncated)
        var newer = bytes
        newer[8] = 2
        #expect(Self.decodeError(newer) == .unsupportedVersion(2))
        #expect(SnapshotError.unsupportedVersion(2).description == "the snapshot format version 2 is not supported")
    }

    /// A crafted file passes the checksum; every change must still be caught or load into a snapshot that
    /// searches without trapping.
    @Test func aCraftedFileWithAValidChecksumNeverCrashesASearch() async throws {
        let fixture = try await Self.populatedFixture()
        let bytes = try Self.encoded(fixture)
        var rejected = 0, loaded = 0
        let original = try fixture.engine.snapshot(of: "articles")
        // Every 9th payload byte (the debug build checks about 4,000 files in ~10 s); the offsets
        // shift with the fixture, so over time every field gets its turn.
        for offset in stride(from: SnapshotFile.headerSize, to: bytes.count, by: 9) {
            for flip: UInt8 in offset % 7 == 0 ? [0x01, 0x40, 0xFF] : [0xFF] {
                var crafted = bytes
                crafted[offset] ^= flip
                Self.resign(&crafted)
                guard let snapshot = try? SnapshotFile.decode(crafted) else {
                    rejected += 1
                    continue
                }
                loaded += 1
                // A changed id or stored document cannot reach the postings; search the rest.
                guard Self.indexesDiffer(snapshot, original) || offset % 64 == 0 else { continue }
                let engine = InMemorySearchEngine(cursorAuthenticator: TestAuthenticator.random())
                for query in ["harbor", "\"harbor report\"", "harb*", "the", "keeper -storm"] {
                    var request = SearchRequest(collection: snapshot.definition.name.rawValue, query: query)
                    request.explain = true
                    request.highlight = HighlightRequest(fields: ["title", "body"])
                    request.match = .any
                    _ = try? engine.search(request, on: snapshot)
                    _ = try? engine.search(request, on: snapshot, pruning: false)
                }
            }
        }
        print("crafted payload bytes: \(rejected) rejected, \(loaded) loaded and searched")
        #expect(rejected > 0)
    }

    static func indexesDiffer(_ one: IndexSnapshot, _ other: IndexSnapshot) -> Bool {
        guard one.segments.count == other.segments.count else { return true }
        for (left, right) in zip(one.segments, other.segments) {
            guard left.live == right.live, left.deletedContentFrequencies == right.deletedContentFrequencies,
                  left.deletedStopFrequencies == right.deletedStopFrequencies
            else { return true }
            for (a, b) in [(left.segment.content, right.segment.content), (left.segment.stopWords, right.segment.stopWords)] {
                guard a.dictionary.bytes == b.dictionary.bytes, a.dictionary.offsets == b.dictionary.offsets,
                      a.termFrequency == b.termFrequency, a.postings == b.postings, a.positions == b.positions,
                      a.blockLastDocument == b.blockLastDocument, a.blockPostingsOffset == b.blockPostingsOffset,
                      a.blockPositionsOffset == b.blockPositionsOffset, a.blockImpactStart == b.blockImpactStart,
                      a.impactPairs == b.impactPairs, a.classLengths == b.classLengths
                else { return true }
            }
        }
        return false
    }

    /// Loading reads the postings from the file rather than analysing the stored documents: a stored
    /// document rewritten in the file (checksum fixed up) still matches the words its postings hold.
    @Test func loadingReadsTheIndexInsteadOfReanalysing() async throws {
        let fixture = try await Self.populatedFixture()
        var bytes = try Self.encoded(fixture)
        // "harbors" appears only in the stored JSON; the index holds its stem "harbor".
        let word = Array("harbors".utf8), replacement = Array("pelican".utf8)
        var replaced = 0
        var index = SnapshotFile.headerSize
        while index + word.count <= bytes.count {
            if bytes[index..<(index + word.count)].elementsEqual(word) {
                bytes.replaceSubrange(index..<(index + word.count), with: replacement)
                replaced += 1
            }
            index += 1
        }
        #expect(replaced > 100)
        Self.resign(&bytes)
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = InMemorySearchEngine.snapshotFile(for: "articles", in: directory)
        try Data(bytes).write(to: file)
        let engine = InMemorySearchEngine(cursorAuthenticator: TestAuthenticator.random())
        try engine.load(collectionFrom: file)
        let restored = MemoryEngineFixture(engine: engine)
        #expect(try await restored.pageThrough("harbors", limit: 100).count == 118)
        #expect(try await restored.ids("pelican").isEmpty)
        #expect(try await restored.search("storm").hits.first?.document.contains("pelican") == true)
        #expect(try engine.snapshot(of: "articles").segments.count == fixture.engine.snapshot(of: "articles").segments.count)
    }

    /// A measurement, not a check: `LOUPE_MEASURE_SNAPSHOT=1 swift test --filter sciFactSaveAndLoad`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LOUPE_MEASURE_SNAPSHOT"] != nil))
    func sciFactSaveAndLoadAgainstRebuildTimings() async throws {
        let documents = try SciFactCorpus.documents()
        let sources = try documents.map { document in
            let data = try JSONSerialization.data(withJSONObject: ["id": document.id, "title": "", "body": document.text], options: [.sortedKeys])
            return try SourceDocument(try JSONParser.parse(Array(data)))
        }
        let clock = ContinuousClock()
        let fixture = try await MemoryEngineFixture.make()
        let rebuild = try await clock.measure { _ = try await fixture.engine.upsert(sources, into: "articles") }
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let save = try clock.measure { try fixture.engine.saveAll(to: directory) }
        let file = InMemorySearchEngine.snapshotFile(for: "articles", in: directory)
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        let engine = InMemorySearchEngine(cursorAuthenticator: TestAuthenticator.random())
        let load = try clock.measure { try engine.load(collectionFrom: file) }
        let restored = MemoryEngineFixture(engine: engine)
        for query in ["cancer cells", "\"stem cells\"", "vitamin d deficiency", "prote*"] {
            #expect(try await restored.search(query) { $0.limit = 20 }.hits == fixture.search(query) { $0.limit = 20 }.hits)
        }
        print("SciFact \(documents.count) docs: rebuild \(rebuild), save \(save), load \(load), file \(size / 1024) KiB")
    }
}
