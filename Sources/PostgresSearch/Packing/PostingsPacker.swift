public import Foundation
public import PostgresClient

/// Builds a collection's packed postings (migration 0010): one value per common lexeme holding all its
/// postings, which `PackedTopK` ranks from. A search masks the documents written since the last build,
/// so packs are never wrong, only slower as changes pile up; a build starts them afresh.
///
/// A build is one REPEATABLE READ transaction: it replaces the packs with the postings rows its snapshot
/// sees and deletes the changes that snapshot saw (later ones stay, and stay masked). It holds the
/// collection's advisory lock, taken before its snapshot, so it never overlaps a whole-collection rewrite
/// of the postings (`forget_packed_postings`). Searches and writes carry on meanwhile.
///
/// Its reads (the documents to number, then the lists, 200 lexemes at a time) run ahead on a second pooled
/// connection, in a read-only transaction that imports the build's snapshot, while the build's own connection
/// numbers the documents and writes the packs and the build packs in Swift (bench/results/packing-read-ahead).
/// With one connection, or none free, the build's connection reads too.
public struct PostingsPacker: Sendable {
    public struct Options: Sendable {
        /// Lexemes in at least this many documents are packed; rarer ones are read row by row.
        public var minimumDocumentFrequency = 128
        /// `packStale` rebuilds a collection's packs once this many document writes are masked.
        public var maximumChanges = 1_000
        /// A build's statements may run this long (about 7 s for 300,000 documents on two cores).
        public var timeout: Duration = .seconds(600)
        /// Reads (batches of lists) a second connection runs ahead of the packing, sharing the build's snapshot;
        /// 0, or no connection free, and the build's own connection reads them.
        public var readAhead = 4

        public init() {}
    }

    /// What one build did.
    public struct Summary: Sendable, Equatable {
        public let collection: UUID
        public let lexemes: Int
        public let postings: Int
        /// Changes the build folded in (and removed from the mask).
        public let changes: Int
        /// True when a second connection read the numbering and lists ahead (`Options.readAhead`).
        public let readAhead: Bool
        public let duration: Duration

        /// One line for a command's summary.
        public var description: String {
            "packed the postings of \(lexemes) common lexemes (\(postings) postings) in "
                + String(format: "%.1f", duration / .seconds(1)) + " s"
        }
    }

    public let pool: PostgresConnectionPool
    public let options: Options

    public init(pool: PostgresConnectionPool, options: Options = Options()) {
        self.pool = pool
        self.options = options
    }

    /// Builds `collection`'s packs afresh; nil when another build or a rewrite of its postings holds the lock.
    public func pack(collection: UUID) async throws -> Summary? {
        let started = ContinuousClock.now
        return try await pool.withConnection { connection in
            let locked = try await connection.query("""
                SELECT pg_try_advisory_lock(k[1], k[2]) AS locked FROM packed_postings_lock_key(\(collection)) AS k
                """).single().decode(Bool.self, column: "locked")
            guard locked else { return nil }
            do {
                let summary = try await build(collection, on: connection, started: started)
                try await unlock(collection, on: connection)
                return summary
            } catch {
                try? await unlock(collection, on: connection)
                throw error
            }
        }
    }

    /// Rebuilds the packs of every collection (or of `only`) whose mask reached `maximumChanges`, or that has
    /// no packs although some lexeme is common enough (after a bulk import or a rewrite of its postings).
    public func packStale(only: UUID? = nil) async throws -> [Summary] {
        let rows = try await pool.query("""
            SELECT c.id FROM collections c
            WHERE c.deleted_at IS NULL AND (\(only)::uuid IS NULL OR c.id = \(only))
              AND ((SELECT count(*) FROM (SELECT 1 FROM postings_changes p WHERE p.collection_id = c.id
                                         LIMIT \(options.maximumChanges)) AS x) >= \(options.maximumChanges)
               OR (NOT EXISTS (SELECT 1 FROM packed_postings k WHERE k.collection_id = c.id)
                   AND EXISTS (SELECT 1 FROM term_statistics t WHERE t.collection_id = c.id
                               AND t.document_frequency >= \(options.minimumDocumentFrequency))))
            ORDER BY c.id
            """)
        var summaries: [Summary] = []
        for row in rows {
            if let summary = try await pack(collection: try row.decode(UUID.self, column: "id")) {
                summaries.append(summary)
            }
        }
        return summaries
    }

    private func build(_ collection: UUID, on connection: PostgresConnection, started: ContinuousClock.Instant) async throws -> Summary {
        try await connection.withTransaction(.repeatableRead, timeout: options.timeout) { connection in
            // The build's snapshot, taken by this first statement; a reader connection can share it.
            let snapshot = try await connection.query("SELECT pg_export_snapshot() AS snapshot").single()
                .decode(String.self, column: "snapshot")
            let lexemes = try await connection.query("""
                SELECT lexeme FROM term_statistics
                WHERE collection_id = \(collection) AND document_frequency >= \(options.minimumDocumentFrequency)
                ORDER BY lexeme
                """).map { try $0.decode(String.self, column: "lexeme") }
            // The documents to number, then the lists batch by batch.
            let queries = [Self.numberingQuery(collection)] + stride(from: 0, to: lexemes.count, by: Self.lexemesPerStatement).map { start in
                Self.listsQuery(collection, lexemes: Array(lexemes[start..<min(start + Self.lexemesPerStatement, lexemes.count)]))
            }
            var written: (lexemes: Int, postings: Int)?
            if options.readAhead > 0, pool.options.maximumConnections >= 2, Self.isSnapshotID(snapshot) {
                var readerStarted = false
                do {
                    written = try await pool.withConnection { reader in
                        readerStarted = true
                        return try await reader.withTransaction(.repeatableRead, readOnly: true, timeout: options.timeout) { reader in
                            // A server-made id of hex digits and dashes (checked above); SET takes no parameters.
                            try await reader.query(PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"))
                            var readAhead = ReadAhead(reader: reader, queries: queries, depth: options.readAhead)
                            do {
                                let written = try await write(
                                    collection, reads: queries.count, read: { _ in try await readAhead.next() }, on: connection)
                                await readAhead.drain()
                                return written
                            } catch {
                                await readAhead.drain()
                                throw error
                            }
                        }
                    }
                } catch let error as PostgresError where error.kind == .poolTimeout && !readerStarted {
                    // No second connection came free: the build reads for itself.
                }
            }
            let packed: (lexemes: Int, postings: Int)
            if let written {
                packed = written
            } else {
                packed = try await write(
                    collection, reads: queries.count, read: { try await connection.queryBinary(queries[$0]) }, on: connection)
            }
            let changes = try await connection.query("DELETE FROM postings_changes WHERE collection_id = \(collection)").affectedRows
            return Summary(
                collection: collection, lexemes: packed.lexemes, postings: packed.postings, changes: changes,
                readAhead: written != nil, duration: .now - started)
        }
    }

    /// Replaces the collection's packs from what `read(i)` returns for i in 0..<reads: the rows of `numberingQuery`,
    /// then those of each `listsQuery`, in order. The server numbers the documents into `packed_documents` while
    /// the lists are packed here, and each batch's packs are written while the next is packed. Returns the
    /// lexemes and postings packed.
    private func write(
        _ collection: UUID, reads: Int, read: (Int) async throws -> PostgresRows, on connection: PostgresConnection
    ) async throws -> (lexemes: Int, postings: Int) {
        try await connection.query("DELETE FROM packed_postings WHERE collection_id = \(collection)")
        try await connection.query("DELETE FROM packed_documents WHERE collection_id = \(collection)")
        return try await withThrowingTaskGroup(of: Void.self) { writes in
            // The same documents in the same order as `numberingQuery`, in the same snapshot.
            writes.addTask {
                try await connection.query("""
                    INSERT INTO packed_documents (collection_id, ordinal, document_id)
                    SELECT \(collection), (row_number() OVER (ORDER BY d.id) - 1)::int, d.id
                    FROM documents d WHERE d.collection_id = \(collection) AND d.deleted_at IS NULL
                    """)
            }
            var ordinals: [DocumentUUID: UInt32] = [:]
            let numbered = try await read(0)
            ordinals.reserveCapacity(numbered.count)
            for (ordinal, row) in numbered.enumerated() {
                guard let id = try row.bytes(at: 0).flatMap(DocumentUUID.init(bytes:)) else { continue }
                ordinals[id] = UInt32(ordinal)
            }
            var packedLexemes = 0, packedPostings = 0, pending = 1
            for index in 1..<max(1, reads) {
                var names: [String] = [], counts: [Int] = [], packs: [String] = []
                for row in try await read(index) {
                    guard let name = try row.bytes(at: 0), let pairs = try row.bytes(at: 1) else { continue }
                    let pack = try Self.pack(pairs, ordinals: ordinals)
                    names.append(String(decoding: name, as: UTF8.self))
                    counts.append(pack.ordinals.count)
                    packs.append(Self.hex(pack.encoded()))
                }
                guard !names.isEmpty else { continue }
                packedLexemes += names.count
                packedPostings += counts.reduce(0, +)
                // At most a few batches' packs wait in memory for the connection.
                if pending >= 3 {
                    try await writes.next()
                    pending -= 1
                }
                writes.addTask { [names, counts, packs] in
                    try await connection.query("""
                        INSERT INTO packed_postings (collection_id, lexeme, posting_count, postings)
                        SELECT \(collection), l.lexeme, l.n, decode(l.pack, 'hex')
                        FROM unnest(\(names)::text[], \(counts)::int[], \(packs)::text[]) AS l(lexeme, n, pack)
                        """)
                }
                pending += 1
            }
            try await writes.waitForAll()
            return (packedLexemes, packedPostings)
        }
    }

    /// The live documents in uuid order: a build numbers them 0, 1, ... in this order.
    static func numberingQuery(_ collection: UUID) -> PostgresQuery {
        "SELECT d.id FROM documents d WHERE d.collection_id = \(collection) AND d.deleted_at IS NULL ORDER BY d.id"
    }

    /// Each lexeme's list in document order from the primary key, as (uuid, float8) pairs, packed by the caller.
    static func listsQuery(_ collection: UUID, lexemes: [String]) -> PostgresQuery {
        """
        SELECT t.lexeme, l.postings FROM unnest(\(lexemes)::text[]) AS t(lexeme) CROSS JOIN LATERAL (
            SELECT string_agg(uuid_send(p.document_id) || float8send(p.impact), ''::bytea ORDER BY p.document_id) AS postings
            FROM postings p WHERE p.collection_id = \(collection) AND p.lexeme = t.lexeme
        ) AS l
        WHERE l.postings IS NOT NULL
        """
    }

    /// What `pg_export_snapshot()` returns (hex digits and dashes, e.g. `00000003-0000001B-1`), and nothing else.
    static func isSnapshotID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0 == "-" || ($0.isASCII && $0.isHexDigit) }
    }

    static let lexemesPerStatement = 200

    /// (uuid, float8) pairs in uuid order, numbered by `ordinals`.
    static func pack(_ pairs: [UInt8], ordinals: [DocumentUUID: UInt32]) throws -> PostingsPack {
        guard pairs.count % 24 == 0 else { throw PackingError("postings pairs of \(pairs.count) bytes") }
        var numbers: [UInt32] = [], impacts: [Double] = []
        numbers.reserveCapacity(pairs.count / 24)
        impacts.reserveCapacity(pairs.count / 24)
        for offset in stride(from: 0, to: pairs.count, by: 24) {
            // The build numbered every live document, and postings exist for live documents only.
            guard let ordinal = ordinals[DocumentUUID(pairs, at: offset)] else {
                throw PackingError("a posting of a document the build did not number")
            }
            var bits: UInt64 = 0
            for index in offset + 16..<offset + 24 { bits = bits << 8 | UInt64(pairs[index]) }
            numbers.append(ordinal)
            impacts.append(Double(bitPattern: bits))
        }
        return PostingsPack(ordinals: numbers, impacts: impacts)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * bytes.count)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private func unlock(_ collection: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_advisory_unlock(k[1], k[2]) FROM packed_postings_lock_key(\(collection)) AS k")
    }
}

/// Runs `queries` in order on `reader`, at most `depth` of them ahead of the caller's `next()`.
private struct ReadAhead {
    let reader: PostgresConnection
    let queries: [PostgresQuery]
    let depth: Int
    private var pending: [Task<PostgresRows, any Error>] = []
    private var scheduled = 0

    init(reader: PostgresConnection, queries: [PostgresQuery], depth: Int) {
        self.reader = reader
        self.queries = queries
        self.depth = max(1, depth)
        fill()
    }

    /// The rows of the next query.
    mutating func next() async throws -> PostgresRows {
        fill()
        guard !pending.isEmpty else { throw PackingError("more reads asked for than there are queries") }
        let rows = try await pending.removeFirst().value
        fill()
        return rows
    }

    /// Waits for the reads still under way (the reader's transaction must not end under them); those not
    /// begun are cancelled.
    mutating func drain() async {
        for task in pending { task.cancel() }
        for task in pending { _ = await task.result }
        pending.removeAll()
    }

    private mutating func fill() {
        while scheduled < queries.count, pending.count < depth {
            // Each read starts once the one before it has finished, so they run in order on the reader.
            let previous = pending.last, query = queries[scheduled], reader = reader
            pending.append(Task {
                _ = try await previous?.value
                try Task.checkCancellation()
                return try await reader.queryBinary(query)
            })
            scheduled += 1
        }
    }
}

/// A build found data it cannot pack (a bug, not bad input: the build only reads what the triggers wrote).
struct PackingError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
