import Foundation
import PostgresClient
import SearchCore

/// The SQL the pruned top-k strategies share: a candidate document's exact score, its match check, and the
/// margin every pruning comparison keeps.
///
/// An exact score is summed in the order exhaustive ranking sums it (scoring lexemes in their fixed order,
/// absent ones skipped), so equal documents get bit-equal scores and ties break on id exactly as they do
/// there. Bounds are sums in other orders; comparing them with `margin` to spare keeps float rounding from
/// ever pruning a document exhaustive scoring would rank.
struct CandidateScoring: Sendable {
    let plan: SearchPlan
    /// The scoring lexemes in scoring order, and their IDFs.
    let lexemes: [String]
    let idfs: [Double]
    let match: PostingsMatch?
    /// Far above any float error in a score, far below any difference that matters.
    let margin: Double
    /// False when a match may have no posting of a scoring lexeme (a prefix matches beyond its scored
    /// expansions; a lexeme in a zero-weight class has no posting).
    let everyMatchHasPostings: Bool

    init(_ plan: SearchPlan) {
        self.plan = plan
        lexemes = plan.scoringLexemes
        idfs = plan.scoringIDFs
        match = plan.postingsMatch
        // An impact is below k1 + 1, so no score exceeds this.
        let highestScore = idfs.reduce(0, +) * (plan.collection.definition.bm25.k1 + 1)
        margin = 1e-9 * (1 + highestScore)
        everyMatchHasPostings = !plan.analyzed.units.contains(where: \.isPrefix)
            && plan.collection.definition.classWeights.values.allSatisfy { $0 > 0 }
    }

    var collectionID: UUID { plan.collection.id }
    var wanted: Int { plan.request.limit + 1 }

    /// The first CTE of every strategy: `q(lexeme, idf, position)`, positions counting from 1.
    var lexemeTable: PostgresQuery {
        "q AS MATERIALIZED (SELECT * FROM unnest(\(lexemes)::text[], \(idfs)::float8[]) WITH ORDINALITY AS q(lexeme, idf, position))"
    }

    /// A LATERAL subquery with the exact `score` of the candidate whose id is `id`, and `present`, its
    /// lexemes as a bit mask (only computed when the match check needs it). `known` names the candidate's
    /// arrays of list positions and impacts already read, and an array of the positions of the lists not
    /// read to their end: only those are looked up.
    func exactScore(id: String, known: (positions: String, impacts: String, open: String)? = nil) -> PostgresQuery {
        var lookup = impact(lexeme: "q.lexeme", id: id)
        if let known {
            lookup = """
                coalesce(\(unsafeRaw: known.impacts)[array_position(\(unsafeRaw: known.positions), q.position)], \
                CASE WHEN q.position = ANY (\(unsafeRaw: known.open)) THEN \(lookup) END)
                """
        }
        let impact = lookup
        var present: PostgresQuery = "NULL::int8"
        if case .everyClause = match {
            present = "coalesce(bit_or(1::int8 << (t.position::int - 1)) FILTER (WHERE t.impact IS NOT NULL), 0)"
        }
        // The rows reach sum() in q's order: the order exhaustive scoring adds them in.
        return """
            (SELECT coalesce(sum(t.idf * t.impact), 0) AS score, \(present) AS present
             FROM (SELECT q.idf, q.position, \(impact) AS impact FROM q) AS t)
            """
    }

    /// The impact of lexeme `lexeme` in document `id`, or NULL: one descent of the postings primary key.
    /// Written as a range of one document read in document order, so that only the primary key can serve
    /// it; an equality lookup can pick the impact index (and scan a whole list) while a table has no
    /// statistics yet. The range is closed on both ends: open above, the scan would copy out every
    /// posting after the document on the same index page, which made each lookup about twice as slow
    /// (bench/results/lookup-range).
    func impact(lexeme: PostgresQuery, id: String) -> PostgresQuery {
        Self.impact(collection: collectionID, lexeme: lexeme, id: id)
    }

    static func impact(collection: UUID, lexeme: PostgresQuery, id: String) -> PostgresQuery {
        """
        (SELECT p.impact FROM postings p \
        WHERE p.collection_id = \(collection) AND p.lexeme = \(lexeme) \
        AND p.document_id >= \(unsafeRaw: id) AND p.document_id <= \(unsafeRaw: id) \
        ORDER BY p.document_id LIMIT 1)
        """
    }

    /// True when the candidate `id` (with `present` from `exactScore`) matches the whole query.
    func matches(id: String, present: String) -> PostgresQuery {
        switch match {
        case .anyLexeme:
            // Every candidate came from a posting.
            return "true"
        case .everyClause(let masks):
            return "NOT EXISTS (SELECT 1 FROM unnest(\(masks)::int8[]) AS m(mask) WHERE (\(unsafeRaw: present) & m.mask) = 0)"
        case nil:
            // Checked candidate by candidate through the primary key, never by scanning the collection.
            return """
                EXISTS (SELECT 1 FROM documents d WHERE d.id = \(unsafeRaw: id) AND d.deleted_at IS NULL \
                AND \(plan.vectorExpression) @@ \(plan.tsquery)::tsquery\(plan.filters.condition))
                """
        }
    }

    /// Only what follows the cursor's (score, id) position; `true` on the first page.
    func follows(_ cursor: PageCursor?, score: String, id: String) throws -> PostgresQuery {
        guard let cursor else { return "true" }
        return try plan.keysetCondition(after: cursor, scoreColumn: score, idColumn: id)
    }

    /// A document scoring above this comes before the cursor; +infinity on the first page. Any one
    /// contribution above it, or any partial sum, already places a document there.
    func cursorCeiling(_ cursor: PageCursor?) -> Double {
        guard let cursor, let score = Double(cursor.lastValue), score.isFinite else { return .infinity }
        return score + margin
    }
}
