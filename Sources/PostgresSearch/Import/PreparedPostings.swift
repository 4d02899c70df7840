import Foundation
import PostgresClient

/// A bulk import's postings and document frequencies, computed from its staged rows on a connection of their
/// own while the publication moves the rows into `documents`.
///
/// `import_postings_<hex>` holds per staged document and lexeme its class-weighted term frequency and the
/// document's weighted length (`document_term_frequencies`, `document_weighted_length`), sorted in the postings
/// indexes' order, so the btrees grow at their right edge; `import_frequencies_<hex>` holds each lexeme's
/// document frequency, sorted likewise. Impacts need the reference length, known only once the documents are
/// in: the publication computes them with `bm25_impact`, as `document_postings` does, so the rows are the ones
/// `rebuild_search_statistics` would write.
struct PreparedPostings {
    let staging: String
    let postings: String
    let frequencies: String

    /// `staging` is a name `BulkPublication.isStagingTableName` accepts; the others are derived from it.
    init(staging: String) {
        let hex = staging.dropFirst("import_staging_".count)
        self.staging = staging
        postings = "import_postings_" + hex
        frequencies = "import_frequencies_" + hex
    }

    private var namesAreSafe: Bool { BulkPublication.isStagingTableName(staging) }

    func drop(on pool: PostgresConnectionPool) async throws {
        guard namesAreSafe else { return }
        try await pool.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(postings), \(frequencies)"))
    }

    /// Builds both tables under the collection's current class weights (the caller holds them FOR SHARE) and
    /// returns how many staged documents they cover.
    func create(on pool: PostgresConnectionPool, collection: UUID) async throws -> Int? {
        guard namesAreSafe else { return nil }
        return try await pool.withTransaction { connection in
            // One sort of millions of rows: the memory the server grants bulk maintenance, as the publication has.
            try await connection.query("SELECT set_config('work_mem', current_setting('maintenance_work_mem'), true)")
            let byteWise = try await connection.query("SELECT text_sorts_byte_wise() AS byte_wise").single()
                .decode(Bool.self, column: "byte_wise")
            // The postings indexes' order: byte order where it is the collation's (far cheaper to sort), else the collation.
            let order = byteWise ? "lexeme COLLATE \"C\"" : "lexeme"
            // Unlogged like the staging table: derived rows, written once and read once.
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE UNLOGGED TABLE \(postings) (
                    lexeme TEXT NOT NULL, document_id UUID NOT NULL, tf DOUBLE PRECISION, weighted_length DOUBLE PRECISION NOT NULL
                )
                """))
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE UNLOGGED TABLE \(frequencies) (lexeme TEXT NOT NULL, document_frequency BIGINT NOT NULL)
                """))
            try await connection.query("""
                INSERT INTO \(unsafeRaw: postings) (lexeme, document_id, tf, weighted_length)
                SELECT t.lexeme, s.id, t.tf, document_weighted_length(s.class_lengths, k.bm25_class_weights)
                FROM \(unsafeRaw: staging) AS s
                CROSS JOIN (SELECT bm25_class_weights FROM collections WHERE id = \(collection)) AS k
                CROSS JOIN LATERAL document_term_frequencies(s.search_vector, k.bm25_class_weights) AS t
                ORDER BY \(unsafeRaw: order), s.id
                """)
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO \(frequencies) (lexeme, document_frequency)
                SELECT lexeme, count(*) FROM \(postings) GROUP BY lexeme ORDER BY \(order)
                """))
            return try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) AS n FROM \(staging)"))
                .single().decode(Int.self, column: "n")
        }
    }

    /// Writes the collection's statistics from the prepared tables when its live documents are exactly the
    /// `staged` documents the tables cover, all of them inserted by this publication (so with the staged ids);
    /// false, having written nothing but the recount, otherwise.
    func publish(into collection: UUID, staged: Int, inserted: Int, on connection: PostgresConnection) async throws -> Bool {
        guard namesAreSafe else { return false }
        let live = try await connection.query("SELECT recount_collection_statistics(\(collection)) AS live").single()
            .decode(Int.self, column: "live")
        guard live == inserted, inserted == staged else { return false }
        // Read in the order the tables were written (a synchronized scan could start midway).
        try await connection.query("SELECT set_config('synchronize_seqscans', 'off', true)")
        try await connection.query("DELETE FROM term_statistics WHERE collection_id = \(collection)")
        try await connection.query("""
            INSERT INTO term_statistics (collection_id, lexeme, document_frequency)
            SELECT \(collection), f.lexeme, f.document_frequency FROM \(unsafeRaw: frequencies) AS f
            """)
        // Every posting is rewritten: packs built from the old ones go (a build in progress is waited for).
        try await connection.query("SELECT forget_packed_postings(\(collection))")
        try await connection.query("DELETE FROM postings WHERE collection_id = \(collection)")
        try await connection.query("""
            INSERT INTO postings (collection_id, lexeme, document_id, impact)
            SELECT k.id, p.lexeme, p.document_id, bm25_impact(p.tf, p.weighted_length, k.bm25_k1, k.bm25_b, s.reference_length)
            FROM collections AS k
            JOIN collection_statistics AS s ON s.collection_id = k.id
            CROSS JOIN \(unsafeRaw: postings) AS p
            WHERE k.id = \(collection) AND p.tf > 0
            """)
        return true
    }
}
