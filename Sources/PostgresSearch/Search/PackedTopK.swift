import Foundation
import PostgresClient
import SearchCore
import Synchronization

/// Exact BM25 top-k from packed postings (migration 0010, `PostingsPacker`): the query's common lexemes
/// come as one value each, every posting in document order, and are merged and scored here.
///
/// PostgreSQL spends ~0.3 to 3 us on each posting row it reads or looks up; a packed posting (about 3.5
/// bytes, `PostingsPack`) costs a few nanoseconds to decode and merge. Three statements read what a search
/// needs in its snapshot: the packs; the documents written since they were built (masked out of the packs)
/// with those documents' postings rows, and every postings row of the query's unpacked (rarer) lexemes;
/// and the page's documents. Scores are summed in the scoring lexemes' order from the same float8 impacts,
/// so they are bit-equal to every other path's and cursors cross between paths. Every match is visited,
/// so the total is exact.
///
/// Documents merge by a 64-bit key in uuid order: a packed document's number n gives slot 2n + 1; a
/// document the build did not number (written since) takes the even slot between its neighbours, and
/// its rank by uuid among such documents in that slot.
///
/// Returns nil (another strategy ranks) when the query is not a set of plain terms ranked by BM25, when it
/// has one lexeme (read from the top of its impact-ordered list, it needs far fewer postings), when no
/// lexeme of the query is packed, or when the unpacked postings or the changes since the packs were built
/// are too many to read row by row.
enum PackedTopK {
    static func rank(
        _ plan: SearchPlan, after cursor: PageCursor?, options: PostgresSearchEngine.Options,
        on connection: PostgresConnection
    ) async throws -> RankedPage? {
        guard plan.exceedsExhaustiveLimit(options), let match = plan.postingsMatch else { return nil }
        let lexemes = plan.scoringLexemes
        // One lexeme: its impact-ordered list (TopKRanking) reaches the page after a few hundred postings.
        guard lexemes.count > 1 else { return nil }
        let collection = plan.collection.id
        var cursorID: UUID?
        var cursorScore = 0.0
        if let cursor {
            guard let score = Double(cursor.lastValue), score.isFinite, let id = UUID(uuidString: cursor.lastID) else {
                throw SearchError.invalidCursor("it is not a cursor this server issued")
            }
            (cursorScore, cursorID) = (score, id)
        }

        // With the highest document number of the build, which sizes the score arrays.
        let packRows = try await connection.queryBinary("""
            SELECT p.lexeme, p.postings,
                   (SELECT max(n.ordinal) FROM packed_documents n WHERE n.collection_id = \(collection)) AS highest
            FROM packed_postings p WHERE p.collection_id = \(collection) AND p.lexeme = ANY(\(lexemes))
            """)
        guard !packRows.isEmpty else { return nil }
        var packs: [String: [UInt8]] = [:]
        var numbered = 0
        for row in packRows {
            guard let lexeme = try row.bytes(at: 0), let postings = try row.bytes(at: 1) else { continue }
            packs[String(decoding: lexeme, as: UTF8.self)] = postings
            numbered = try row.bytes(at: 2).map { Self.int4($0) + 1 } ?? 0
        }
        let packed = lexemes.filter { packs[$0] != nil }
        let unpacked = lexemes.filter { packs[$0] == nil }
        let unpackedPostings = unpacked.map { plan.statistics.documentFrequencies[$0] ?? 0 }.reduce(0, +)
        guard unpackedPostings <= options.unpackedPostingsLimit else { return nil }

        // Kind 0: a masked document; 1: a postings row (of a masked document for a packed lexeme, one
        // primary-key descent per document and lexeme, or any row of an unpacked lexeme); 2: the cursor's
        // document. Each with the numbered document at or below it in uuid order.
        let rows = try await connection.queryBinary("""
            WITH mask AS MATERIALIZED (
                SELECT DISTINCT document_id FROM postings_changes WHERE collection_id = \(collection)
                LIMIT \(options.packedMaskLimit + 1)
            ),
            rows AS (
                SELECT 0 AS kind, NULL::text AS lexeme, m.document_id, NULL::float8 AS impact FROM mask m
                UNION ALL
                SELECT 1, p.lexeme, m.document_id, p.impact FROM mask m CROSS JOIN LATERAL (
                    SELECT p.lexeme, p.impact FROM postings p
                    WHERE p.collection_id = \(collection) AND p.lexeme = ANY(\(packed))
                      AND p.document_id >= m.document_id AND p.document_id <= m.document_id
                    -- At most one row per lexeme; saying so keeps the estimate (and JIT) away.
                    LIMIT \(packed.count)) AS p
                UNION ALL
                SELECT 1, p.lexeme, p.document_id, p.impact FROM postings p
                WHERE p.collection_id = \(collection) AND p.lexeme = ANY(\(unpacked))
                UNION ALL
                SELECT 2, NULL, \(cursorID)::uuid, NULL WHERE \(cursorID)::uuid IS NOT NULL
            )
            SELECT r.kind, r.lexeme, r.document_id, r.impact, b.ordinal, b.document_id AS numbered
            FROM rows r LEFT JOIN LATERAL (
                SELECT n.ordinal, n.document_id FROM packed_documents n
                WHERE n.collection_id = \(collection) AND n.document_id <= r.document_id
                ORDER BY n.document_id DESC LIMIT 1
            ) AS b ON true
            """)
        var keys = KeyAssignment()
        var masked = Set<UInt32>()
        var maskedCount = 0
        var postings: [String: [(DocumentUUID, Double)]] = [:]
        for row in rows {
            guard let kind = try row.bytes(at: 0).map(Self.int4), let id = try row.bytes(at: 2).flatMap(DocumentUUID.init(bytes:)) else {
                continue
            }
            // The numbered document at or below this one: itself when the build numbered it.
            let below = try row.bytes(at: 4).map(Self.int4).map(UInt32.init)
            let isNumbered = try row.bytes(at: 5).flatMap(DocumentUUID.init(bytes:)) == id
            keys.place(id, below: below, numbered: isNumbered)
            switch kind {
            case 0:
                maskedCount += 1
                if let below, isNumbered { masked.insert(below) }
            case 1:
                guard let lexeme = try row.bytes(at: 1), let impact = try row.bytes(at: 3).flatMap(Self.float8) else { continue }
                postings[String(decoding: lexeme, as: UTF8.self), default: []].append((id, impact))
            default:
                break
            }
        }
        guard maskedCount <= options.packedMaskLimit else { return nil }
        keys.rankUnnumbered()
        let cursorKey = cursorID.map { keys.key(DocumentUUID($0)) }

        var accumulator = ScoreAccumulator(numbered: numbered, masked: masked)
        let idfs = plan.scoringIDFs
        for (index, lexeme) in lexemes.enumerated() {
            // List by list in scoring order: each document's sum adds its lexemes in that order.
            let idf = idfs[index], bit = Int64(1) << index
            if let pack = packs[lexeme] {
                try accumulator.add(pack: pack, idf: idf, bit: bit)
            }
            for (id, impact) in postings[lexeme] ?? [] {
                accumulator.add(key: keys.key(id), idf * impact, bit: bit)
            }
        }
        let after = cursorKey.map { (score: cursorScore, key: $0) }
        let merged = accumulator.best(wanted: plan.request.limit + 1, match: match, after: after)
        guard !merged.top.isEmpty else { return RankedPage(rows: [], exactTotal: merged.total) }

        let ordinals = merged.top.map { KeyAssignment.ordinal(of: $0.key).map(Int.init) ?? -1 }
        let ids = merged.top.map { keys.unnumbered[$0.key]?.uuid ?? DocumentUUID.zero }
        let documents = try await connection.query("""
            SELECT d.id, r.score, NULL::text AS sort_value, \(unsafeRaw: RankedRow.documentColumns)
            FROM unnest(\(ordinals)::int[], \(ids)::uuid[], \(merged.top.map(\.score))::float8[])
                 WITH ORDINALITY AS r(ordinal, id, score, position)
            LEFT JOIN packed_documents n ON n.collection_id = \(collection) AND n.ordinal = r.ordinal
            JOIN documents d ON d.id = coalesce(n.document_id, r.id)
            ORDER BY r.position
            """)
        return RankedPage(rows: try documents.map(RankedRow.init), exactTotal: merged.total)
    }

    static func float8(_ bytes: [UInt8]) -> Double? {
        guard bytes.count == 8 else { return nil }
        return Double(bitPattern: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    static func int4(_ bytes: [UInt8]) -> Int {
        Int(Int32(bitPattern: bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
    }
}

/// Merge keys for the documents of one search (see `PackedTopK`).
struct KeyAssignment {
    /// Unnumbered documents by the slot they fall in (2n + 2 after document n, 0 before the first).
    private var slots: [UInt32: Set<DocumentUUID>] = [:]
    private var numbered: [DocumentUUID: UInt32] = [:]
    /// Unnumbered documents' keys and back.
    private var ranked: [DocumentUUID: UInt64] = [:]
    private(set) var unnumbered: [UInt64: DocumentUUID] = [:]

    /// Records `id`, which is document `below` when `numbered`, else falls after it (before all when nil).
    mutating func place(_ id: DocumentUUID, below: UInt32?, numbered isNumbered: Bool) {
        if isNumbered, let below {
            numbered[id] = below
        } else {
            slots[below.map { 2 * $0 + 2 } ?? 0, default: []].insert(id)
        }
    }

    mutating func rankUnnumbered() {
        for (slot, ids) in slots {
            for (rank, id) in ids.sorted().enumerated() {
                let key = UInt64(slot) << 32 | UInt64(rank + 1)
                ranked[id] = key
                unnumbered[key] = id
            }
        }
    }

    /// The key of a document placed before `rankUnnumbered`.
    func key(_ id: DocumentUUID) -> UInt64 {
        if let ordinal = numbered[id] { return Self.key(ordinal: ordinal) }
        return ranked[id] ?? 0
    }

    static func key(ordinal: UInt32) -> UInt64 {
        UInt64(2 * ordinal + 1) << 32
    }

    static func ordinal(of key: UInt64) -> UInt32? {
        let slot = UInt32(key >> 32)
        return slot % 2 == 1 ? (slot - 1) / 2 : nil
    }
}

/// A uuid as PostgreSQL orders them: its 16 bytes compared as unsigned big-endian numbers.
struct DocumentUUID: Hashable, Comparable, Sendable {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.init(bytes, at: 0)
    }

    init(_ bytes: [UInt8], at offset: Int) {
        var high: UInt64 = 0, low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(bytes[offset + index])
            low = low << 8 | UInt64(bytes[offset + 8 + index])
        }
        self.init(high: high, low: low)
    }

    init(_ uuid: UUID) {
        let u = uuid.uuid
        self.init([u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15], at: 0)
    }

    var uuid: UUID {
        func byte(_ value: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> (56 - 8 * index)) }
        return UUID(uuid: (
            byte(high, 0), byte(high, 1), byte(high, 2), byte(high, 3), byte(high, 4), byte(high, 5), byte(high, 6), byte(high, 7),
            byte(low, 0), byte(low, 1), byte(low, 2), byte(low, 3), byte(low, 4), byte(low, 5), byte(low, 6), byte(low, 7)))
    }

    static let zero = DocumentUUID(high: 0, low: 0).uuid

    static func < (left: DocumentUUID, right: DocumentUUID) -> Bool {
        (left.high, left.low) < (right.high, right.low)
    }
}

/// Term-at-a-time BM25 sums: dense arrays over the build's document numbers, and a dictionary for the
/// documents written since the build (new, or masked: their packed postings are stale, so what the packs
/// added under their numbers is dropped and their current rows are summed apart).
///
/// The dense arrays (16 bytes a document) are reused from search to search: zeroing fresh ones cost more
/// than summing two lists of 100,000 postings. `best` leaves them zeroed again and gives them back.
struct ScoreAccumulator: ~Copyable {
    private var buffers: ScoreBuffers
    private let numbered: Int
    private let masked: Set<UInt32>
    private var written: [UInt64: (score: Double, present: Int64)] = [:]

    init(numbered: Int, masked: Set<UInt32>) {
        buffers = ScoreBuffers.take(count: numbered)
        self.numbered = numbered
        self.masked = masked
    }

    /// Every posting of a pack.
    mutating func add(pack: [UInt8], idf: Double, bit: Int64) throws(PostingsPack.DecodingError) {
        let count = numbered
        try buffers.scores.withUnsafeMutableBufferPointer { (scores) throws(PostingsPack.DecodingError) in
            try buffers.present.withUnsafeMutableBufferPointer { (present) throws(PostingsPack.DecodingError) in
                try PostingsPack.forEachPosting(in: pack) { ordinal, impact in
                    let index = Int(ordinal)
                    guard index < count else { return }
                    scores[index] += idf * impact
                    present[index] |= bit
                }
            }
        }
    }

    /// A postings row.
    mutating func add(key: UInt64, _ contribution: Double, bit: Int64) {
        if let ordinal = KeyAssignment.ordinal(of: key), Int(ordinal) < numbered, !masked.contains(ordinal) {
            buffers.scores[Int(ordinal)] += contribution
            buffers.present[Int(ordinal)] |= bit
        } else {
            let sum = written[key, default: (0, 0)]
            written[key] = (sum.score + contribution, sum.present | bit)
        }
    }

    /// The best `wanted` matches after `after` (in score, then key order), and the number of matches.
    consuming func best(wanted: Int, match: PostingsMatch, after: (score: Double, key: UInt64)?) -> (top: [ScoredDocument], total: Int) {
        for ordinal in masked where Int(ordinal) < numbered { buffers.present[Int(ordinal)] = 0 }
        var best = BestDocuments(capacity: wanted)
        var total = 0
        var masks: [Int64] = []
        if case .everyClause(let clauseMasks) = match { masks = clauseMasks }
        let afterScore = after?.score ?? .infinity, afterKey = after?.key ?? 0
        var floor = -Double.infinity
        let count = numbered
        buffers.scores.withUnsafeMutableBufferPointer { scores in
            buffers.present.withUnsafeMutableBufferPointer { present in
                masks.withUnsafeBufferPointer { masks in
                    // Branch-free but for the rare document that can enter the page: about half the
                    // documents hold a common term, in no predictable order.
                    for index in 0..<count {
                        let bits = present[index]
                        var matches = bits != 0 ? 1 : 0
                        for mask in masks { matches &= bits & mask != 0 ? 1 : 0 }
                        total &+= matches
                        let score = scores[index]
                        guard matches & (score >= floor ? 1 : 0) & (score <= afterScore ? 1 : 0) != 0 else { continue }
                        let key = KeyAssignment.key(ordinal: UInt32(index))
                        if score == afterScore, key <= afterKey { continue }
                        best.offer(ScoredDocument(key: key, score: score))
                        floor = best.floor
                    }
                }
                UnsafeMutableBufferPointer(rebasing: present[..<count]).update(repeating: 0)
            }
            UnsafeMutableBufferPointer(rebasing: scores[..<count]).update(repeating: 0)
        }
        ScoreBuffers.give(buffers)
        for (key, sum) in written where sum.present != 0 {
            if masks.contains(where: { sum.present & $0 == 0 }) { continue }
            total += 1
            if sum.score > afterScore || (sum.score == afterScore && key <= afterKey) { continue }
            best.offer(ScoredDocument(key: key, score: sum.score))
        }
        return (best.sorted, total)
    }
}

/// Zeroed score arrays, kept for the next search.
struct ScoreBuffers: Sendable {
    var scores: [Double]
    var present: [Int64]

    private static let idle = Mutex<[ScoreBuffers]>([])
    /// Kept for the searches a pool runs at once, up to 256 MB in all (16 bytes a document).
    private static let keptDocuments = 16 << 20

    static func take(count: Int) -> ScoreBuffers {
        let reused = idle.withLock { idle -> ScoreBuffers? in
            guard let index = idle.firstIndex(where: { $0.scores.count >= count }) else { return nil }
            return idle.remove(at: index)
        }
        return reused ?? ScoreBuffers(scores: [Double](repeating: 0, count: count), present: [Int64](repeating: 0, count: count))
    }

    /// Takes back buffers that are all zero.
    static func give(_ buffers: ScoreBuffers) {
        idle.withLock { idle in
            if idle.reduce(buffers.scores.count, { $0 + $1.scores.count }) <= keptDocuments { idle.append(buffers) }
        }
    }
}

struct ScoredDocument: Sendable {
    let key: UInt64
    let score: Double

    /// Ranking order: higher score first, then lower key (uuid order).
    func precedes(_ other: ScoredDocument) -> Bool {
        score > other.score || (score == other.score && key < other.key)
    }
}

/// The best `capacity` documents offered so far, kept in ranking order.
struct BestDocuments {
    let capacity: Int
    private(set) var sorted: [ScoredDocument] = []

    init(capacity: Int) {
        self.capacity = capacity
        sorted.reserveCapacity(capacity + 1)
    }

    /// Offers scoring below this cannot enter.
    var floor: Double { sorted.count == capacity ? sorted[sorted.count - 1].score : -.infinity }

    mutating func offer(_ document: ScoredDocument) {
        if sorted.count == capacity, let last = sorted.last, !document.precedes(last) { return }
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle].precedes(document) { low = middle + 1 } else { high = middle }
        }
        sorted.insert(document, at: low)
        if sorted.count > capacity { sorted.removeLast() }
    }
}
