import Foundation
import PostgresClient
import SearchCore

/// The SQL pieces of one search: which rows match, how they score, how they are ordered.
struct SearchPlan: Sendable {
    var request: SearchRequest
    var collection: StoredCollection
    var analyzed: AnalyzedQuery
    var filters: FilterSQL
    var stopWordsOnly = false
    var statistics = PinnedStatistics(documentCount: 0, averageDocumentLength: 0, documentFrequencies: [:])
    var matchUsed: MatchMode = .all

    init(request: SearchRequest, collection: StoredCollection, analyzed: AnalyzedQuery, filters: FilterSQL) {
        self.request = request
        self.collection = collection
        self.analyzed = analyzed
        self.filters = filters
    }

    var tsquery: String { TSQueryText.build(analyzed, all: matchUsed != .any) ?? "" }

    /// The vector to match: the analysed text, or, for stop-word-only queries, the stop words it left out.
    var vectorExpression: PostgresQuery {
        stopWordsOnly ? "d.stop_vector" : "d.search_vector"
    }

    /// `FROM documents d WHERE ...`: live documents of the collection that match the query and filters.
    var matchingRows: PostgresQuery {
        """
        FROM documents d WHERE d.collection_id = \(collection.id) AND d.deleted_at IS NULL \
        AND \(vectorExpression) @@ \(tsquery)::tsquery\(filters.condition)
        """
    }

    var scoreExpression: PostgresQuery {
        if stopWordsOnly || request.ranking == .tsRank {
            return "ts_rank(\(vectorExpression), \(tsquery)::tsquery)::float8"
        }
        if request.ranking == .tsRankCd {
            return "ts_rank_cd(d.search_vector, \(tsquery)::tsquery)::float8"
        }
        // Summed in the scoring lexemes' order, as every ranking path sums (absent lexemes add nothing).
        return """
            (SELECT coalesce(sum(q.idf * \(CandidateScoring.impact(collection: collection.id, lexeme: "q.lexeme", id: "d.id"))), 0) \
            FROM unnest(\(scoringLexemes)::text[], \(scoringIDFs)::float8[]) AS q(lexeme, idf))
            """
    }

    /// True when the BM25 postings alone say which documents match: an OR of plain single-lexeme terms,
    /// with no phrase, prefix, exclusion, filter or attribute sort (postings hold live documents only).
    var postingsDecideMatches: Bool { postingsMatch == .anyLexeme }

    /// How the postings alone decide a match, or nil when only the document's vector can: plain
    /// single-position terms (any clause structure), no phrase, prefix, exclusion, filter or attribute sort.
    /// Postings hold live documents only, and hold every lexeme of the vector only while no weight class
    /// counts zero (a lexeme found only in a zero-weight class has no posting, yet matches).
    var postingsMatch: PostingsMatch? {
        guard request.ranking == .bm25, !stopWordsOnly, request.sort == nil, filters.isEmpty, analyzed.exclusions.isEmpty,
              collection.definition.classWeights.values.allSatisfy({ $0 > 0 }),
              analyzed.units.allSatisfy({ !$0.isPrefix && $0.positions.count == 1 }) else { return nil }
        if matchUsed == .any || analyzed.clauses.count == 1 { return .anyLexeme }
        let lexemes = scoringLexemes
        // One bit per scoring lexeme in a bigint.
        guard lexemes.count < 63 else { return nil }
        let masks = analyzed.clauses.map { clause in
            let clauseLexemes = Set(clause.flatMap(\.lexemes))
            return lexemes.indices.reduce(Int64(0)) { mask, index in
                clauseLexemes.contains(lexemes[index]) ? mask | (Int64(1) << index) : mask
            }
        }
        return .everyClause(masks: masks)
    }

    /// True when a BM25 relevance ranking may match too many documents to score them all: the pruned and
    /// packed top-k strategies apply. The limit is lower for an OR of plain terms, whose estimate is exact.
    func exceedsExhaustiveLimit(_ options: PostgresSearchEngine.Options) -> Bool {
        let limit = postingsDecideMatches ? options.exhaustiveMatchLimit : options.exhaustiveConjunctionLimit
        return request.ranking == .bm25 && request.sort == nil && !stopWordsOnly && estimatedMatches > limit
    }

    /// Every lexeme that contributes to BM25, prefix expansions included, in a fixed order.
    var scoringLexemes: [String] { statistics.documentFrequencies.keys.sorted() }

    var scoringIDFs: [Double] {
        scoringLexemes.map { Bm25.idf(documentFrequency: statistics.documentFrequencies[$0] ?? 0, documentCount: statistics.documentCount) }
    }

    /// An upper estimate of how many documents match, from document frequencies alone.
    var estimatedMatches: Int {
        let frequencies = statistics.documentFrequencies
        let total = statistics.documentCount
        func unitMatches(_ unit: AnalyzedUnit) -> Int {
            if unit.isPrefix, let stems = unit.positions.last {
                let expanded = frequencies.filter { lexeme, _ in stems.contains { lexeme.hasPrefix($0) } }.values.reduce(0, +)
                return min(total, expanded)
            }
            // A phrase or compound needs every position; a position needs one of its alternatives.
            return unit.positions.filter { !$0.isEmpty }
                .map { alternatives in min(total, alternatives.map { frequencies[$0] ?? 0 }.reduce(0, +)) }
                .min() ?? 0
        }
        let clauses = analyzed.clauses.map { clause in min(total, clause.map(unitMatches).reduce(0, +)) }
        return matchUsed == .any ? min(total, clauses.reduce(0, +)) : clauses.min() ?? 0
    }

    /// The value a cursor remembers: the score, or the sort attribute as jsonb text.
    var sortExpression: PostgresQuery {
        guard let sort = request.sort else { return "NULL::text" }
        return "coalesce(d.document -> \(sort.field), 'null'::jsonb)::text"
    }

    /// Total order: score (or attribute) then id, so ties never repeat or skip.
    func orderBy(prefix: String) -> String {
        guard let sort = request.sort else { return "\(prefix)score DESC, \(prefix)id" }
        return "\(prefix)sort_value::jsonb \(sort.descending ? "DESC" : "ASC"), \(prefix)id"
    }

    func keysetCondition(after cursor: PageCursor, scoreColumn: String = "score", idColumn: String = "id") throws -> PostgresQuery {
        guard let lastID = UUID(uuidString: cursor.lastID) else { throw SearchError.invalidCursor("it is not a cursor this server issued") }
        if let sort = request.sort {
            let comparison = sort.descending ? "<" : ">"
            let value = PostgresJSONText(cursor.lastValue)
            return "(sort_value::jsonb \(unsafeRaw: comparison) \(value) OR (sort_value::jsonb = \(value) AND id > \(lastID)))"
        }
        guard let score = Double(cursor.lastValue), score.isFinite else {
            throw SearchError.invalidCursor("it is not a cursor this server issued")
        }
        return "(\(unsafeRaw: scoreColumn) < \(score) OR (\(unsafeRaw: scoreColumn) = \(score) AND \(unsafeRaw: idColumn) > \(lastID)))"
    }
}

/// How postings decide whether a document matches (see `SearchPlan.postingsMatch`).
enum PostingsMatch: Sendable, Equatable {
    /// Any posting of a scoring lexeme is a match.
    case anyLexeme
    /// A match has a posting in every clause; each mask has bit i set for scoring lexeme i of the clause.
    case everyClause(masks: [Int64])
}

/// The ranked rows of a page (one more than the limit, to know whether another page follows).
struct RankedPage: Sendable {
    let rows: [RankedRow]
    /// Set when every match was visited.
    let exactTotal: Int?
}

/// One ranked match with what the page needs of its document.
struct RankedRow: Sendable {
    let id: UUID
    let score: Double
    /// Under an attribute sort, the attribute as jsonb text.
    let sortValue: String?
    let externalID: String
    let body: String
    let vector: String
    let classLengths: [Int]

    /// The `documents d` columns every ranking query returns for its final rows.
    static let documentColumns = "d.external_id, d.document::text AS body, d.search_vector::text AS vector, d.class_lengths"

    init(_ row: PostgresRow) throws {
        id = try row.decode(UUID.self, column: "id")
        score = try row.decode(Double.self, column: "score")
        sortValue = try row.decode(String?.self, column: "sort_value")
        externalID = try row.decode(String.self, column: "external_id")
        body = try row.decode(String.self, column: "body")
        vector = try row.decode(String.self, column: "vector")
        classLengths = try row.decode([Int].self, column: "class_lengths")
    }
}

enum Bm25 {
    /// Lucene's BM25 IDF, never negative: ln(1 + (N - df + 0.5) / (df + 0.5)).
    static func idf(documentFrequency: Int, documentCount: Int) -> Double {
        let n = Double(max(documentCount, documentFrequency)), df = Double(documentFrequency)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }
}
