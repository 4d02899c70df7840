import Foundation
import PostgresClient

/// Brings a collection's reference length up to its live average and recomputes the impacts that depend
/// on it, in keyset batches of short transactions.
///
/// `refresh_search_impacts()` does the same in one statement that deletes and re-inserts every posting;
/// a concurrent write of a document can then collide with the re-inserted rows. Updating impacts in
/// place, batch by batch, leaves concurrent writers to delete and insert their own rows as usual.
struct ImpactRefresh {
    let pool: PostgresConnectionPool
    let collection: UUID

    /// Rewrites the impacts of the collection's live `documents` (ids).
    ///
    /// The batch's fresh impacts are computed behind an optimisation fence (`OFFSET 0`), and `postings` is
    /// reached only through the join on its whole primary key. Written as a plain join, the planner saw
    /// `postings.collection_id = <collection>` as a condition of its own: for a collection created since the
    /// table was last analysed it estimates one row, and on that estimate it scanned all of the collection's
    /// postings and, for each, the batch's range of documents. One batch of 2,000 documents then took minutes
    /// instead of a fraction of a second, depending on whether autovacuum had analysed the table in time
    /// (bench/results/impact-refresh-stall). With the fence the planner has no such condition to misjudge.
    static func batchUpdate(collection: UUID, documents: [UUID]) -> PostgresQuery {
        """
        UPDATE postings AS p SET impact = fresh.impact
        FROM (
            SELECT d.collection_id, d.id, dp.lexeme, dp.impact
            FROM documents AS d
            JOIN collections AS k ON k.id = d.collection_id
            JOIN collection_statistics AS s ON s.collection_id = d.collection_id
            CROSS JOIN LATERAL document_postings(d.search_vector, d.class_lengths, k.bm25_class_weights,
                                                 k.bm25_k1, k.bm25_b, s.reference_length) AS dp
            WHERE d.collection_id = \(collection) AND d.id = ANY (\(documents)) AND d.deleted_at IS NULL
            OFFSET 0
        ) AS fresh
        WHERE p.collection_id = fresh.collection_id AND p.lexeme = fresh.lexeme AND p.document_id = fresh.id
          AND p.impact <> fresh.impact
        """
    }

    /// Moves the reference length to the live average when it differs by more than `tolerance` (relative);
    /// returns whether it moved (and impacts were recomputed). Up to `parallelism` batches run at once.
    @discardableResult
    func run(tolerance: Double = 1e-9, batchSize: Int = 2_000, parallelism: Int = 2) async throws -> Bool {
        let row = try await pool.withTransaction { connection in
            // Waits for the writers that computed impacts with the old length; later ones read the new (migration 0012).
            try await connection.query("SELECT lock_reference_length(\(collection))")
            let row = try await connection.query("""
            UPDATE collection_statistics AS s
            SET reference_length = CASE WHEN s.document_count = 0 THEN 0 ELSE
                (c.bm25_class_weights[1] * s.class_lengths[1] + c.bm25_class_weights[2] * s.class_lengths[2]
               + c.bm25_class_weights[3] * s.class_lengths[3] + c.bm25_class_weights[4] * s.class_lengths[4])
               / s.document_count END
            FROM collections AS c
            WHERE c.id = s.collection_id AND s.collection_id = \(collection)
              AND abs(s.reference_length - CASE WHEN s.document_count = 0 THEN 0 ELSE
                (c.bm25_class_weights[1] * s.class_lengths[1] + c.bm25_class_weights[2] * s.class_lengths[2]
               + c.bm25_class_weights[3] * s.class_lengths[3] + c.bm25_class_weights[4] * s.class_lengths[4])
               / s.document_count END) > \(tolerance) * greatest(s.reference_length, 1e-9)
            RETURNING s.reference_length
            """)
            // Every impact is about to change: the packs go now, and each batch below logs its documents as
            // changed, so a pack built midway masks the postings the later batches rewrite.
            if !row.isEmpty {
                try await connection.query("SELECT forget_packed_postings(\(collection))")
            }
            return row
        }
        guard !row.isEmpty else { return false }
        // Batches are independent (each rewrites its own documents' postings) and the rewrite is the server's
        // CPU work, so they run `parallelism` at a time on their own connections, from bounds taken up front.
        let bounds = try await pool.query("""
            SELECT external_id FROM (
                SELECT external_id, row_number() OVER (ORDER BY external_id) AS n
                FROM documents WHERE collection_id = \(collection)) AS numbered
            WHERE n % \(batchSize) = 0 ORDER BY external_id
            """).map { try $0.decode(String.self, column: "external_id") }
        var ranges = Array(zip([""] + bounds, bounds)).makeIterator()
        let width = max(1, min(parallelism, pool.options.maximumConnections))
        var busy: [UUID] = []
        try await withThrowingTaskGroup(of: [UUID].self) { group in
            for _ in 0..<width {
                guard let (after, last) = ranges.next() else { break }
                group.addTask { try await refresh(after: after, last: last) }
            }
            while let skipped = try await group.next() {
                busy += skipped
                guard let (after, last) = ranges.next() else { continue }
                group.addTask { try await refresh(after: after, last: last) }
            }
        }
        // Then whatever lies past the last bound, documents written meanwhile included, batch by batch.
        var after = bounds.last ?? ""
        while let last = try await nextBound(after: after, batchSize: batchSize) {
            busy += try await refresh(after: after, last: last)
            after = last
        }
        // Last, one at a time, the documents a writer held: waiting for each is safe here, holding nothing else.
        for document in busy {
            try await pool.withTransaction { connection in
                let live = try await connection.query("""
                    SELECT id FROM documents WHERE collection_id = \(collection) AND id = \(document) AND deleted_at IS NULL FOR SHARE
                    """)
                guard !live.isEmpty else { return }
                try await rewrite([document], on: connection)
            }
        }
        return true
    }

    /// The external id closing the batch of `batchSize` documents after `after`; nil when there are none.
    private func nextBound(after: String, batchSize: Int) async throws -> String? {
        try await pool.query("""
            SELECT max(external_id) AS last FROM (
                SELECT external_id FROM documents WHERE collection_id = \(collection) AND external_id > \(after)
                ORDER BY external_id LIMIT \(batchSize)) AS batch
            """).single().decode(String?.self, column: "last")
    }

    /// Rewrites the impacts of the live documents in `(after, last]`, in one short transaction; returns those
    /// it skipped because a writer held them.
    ///
    /// The batch first takes its documents FOR SHARE, skipping those a writer holds. A writer changes a
    /// document's postings only while it holds the document's row, so the batch's postings are then its alone
    /// and it never waits for a writer: waiting row by row in its own order, it deadlocked with writers that
    /// delete several documents' postings in another order. A skipped document's writer started after the
    /// length moved (`lock_reference_length` waited for the earlier ones) and computes the new impacts; it is
    /// rewritten again at the end all the same, in case that writer rolls back.
    private func refresh(after: String, last: String) async throws -> [UUID] {
        try await pool.withTransaction { connection in
            let (held, skipped) = try await LiveDocumentRange(collection: collection, after: after, last: last)
                .lock(.share, on: connection)
            if !held.isEmpty { try await rewrite(held, on: connection) }
            return skipped
        }
    }

    /// New impacts for `documents`, which the caller holds FOR SHARE, masked out of packs built meanwhile.
    private func rewrite(_ documents: [UUID], on connection: PostgresConnection) async throws {
        try await connection.query(Self.batchUpdate(collection: collection, documents: documents))
        try await connection.query("""
            INSERT INTO postings_changes (collection_id, document_id)
            SELECT \(collection), d FROM unnest(\(documents)) AS d
            """)
    }
}
