import Foundation
public import PostgresClient
public import SearchCore

/// The query service on PostgreSQL: web-style queries, BM25 (or `ts_rank`/`ts_rank_cd`), highlighting,
/// filters, and signed keyset cursors.
public struct PostgresSearchEngine: SearchEngine {
    public struct Options: Sendable {
        /// A search running longer is cancelled and reported as `queryTimeout`.
        public var statementTimeout: Duration = .seconds(5)
        /// Exact counts up to this many matches; beyond, an estimate from term statistics.
        public var exactCountLimit = 10_000
        /// A `prefix*` scores with at most this many of the collection's most frequent expansions.
        public var prefixExpansions = 50
        /// Highlighting reads at most this much of each field.
        public var highlightMaximumBytes = 100_000
        /// Below this many estimated matches every match is scored; above, top-k reads impact-ordered lists.
        public var exhaustiveMatchLimit = 2_000
        /// How deep impact-ordered lists are read before falling back to scoring every match.
        public var maximumListDepth = 40_000

        public init() {}
    }

    public let pool: PostgresConnectionPool
    public let options: Options
    let collections: CollectionStore
    let cursors: PageCursorCodec

    public init(pool: PostgresConnectionPool, cursorAuthenticator: any MessageAuthenticator, options: Options = Options()) {
        self.pool = pool
        self.options = options
        self.collections = CollectionStore(pool: pool)
        self.cursors = PageCursorCodec(authenticator: cursorAuthenticator)
    }

    public func search(_ request: SearchRequest) async throws(SearchError) -> SearchPage {
        do {
            return try await run(try request.validated())
        } catch let error as SearchError {
            throw error
        } catch let error as PostgresError where error.code == .queryCanceled {
            throw .queryTimeout
        } catch let error as PostgresError {
            throw .unavailable(error.isConnectionLoss || error.kind == .poolTimeout ? "the database is unreachable" : "the search failed")
        } catch {
            throw .unavailable("the search failed")
        }
    }

    private func run(_ request: SearchRequest) async throws -> SearchPage {
        guard let collection = try await collections.find(request.collection) else {
            throw SearchError.collectionNotFound(request.collection)
        }
        let cursor = try request.cursor.map { text throws(SearchError) in try cursors.decode(text, for: request) }
        let parsed = QueryParser.parse(request.query)
        guard !parsed.isEmpty else {
            throw SearchError.invalidRequest(parameter: "q", reason: "the query has no words to search for")
        }
        let filters = try FilterSQL(request.filters)
        return try await pool.withTransaction(.repeatableRead) { connection in
            try await connection.setTransactionTimeout(options.statementTimeout)
            let analyzed = try await QueryAnalyzer.analyze(
                parsed, configuration: collection.definition.language.rawValue, on: connection)
            var plan = SearchPlan(request: request, collection: collection, analyzed: analyzed, filters: filters)
            if analyzed.isEmpty {
                // Only stop words: match them verbatim rather than return nothing.
                let simple = try await QueryAnalyzer.analyze(parsed, configuration: "simple", on: connection)
                guard !simple.isEmpty else {
                    throw SearchError.invalidRequest(parameter: "q", reason: "the query has no words to search for")
                }
                plan.analyzed = simple
                plan.stopWordsOnly = true
            }
            if let pinned = cursor?.statistics {
                plan.statistics = pinned
            } else {
                plan.statistics = try await statistics(for: plan, on: connection)
            }
            if let pinned = cursor?.matchUsed {
                plan.matchUsed = pinned
            } else {
                plan.matchUsed = try await resolveMatchMode(plan, on: connection)
            }
            return try await page(plan, after: cursor, on: connection)
        }
    }

    // MARK: statistics

    private func statistics(for plan: SearchPlan, on connection: PostgresConnection) async throws -> PinnedStatistics {
        let collectionID = plan.collection.id
        let totals = try await connection.query("""
            SELECT document_count, reference_length FROM collection_statistics WHERE collection_id = \(collectionID)
            """)
        var documentCount = 0
        var averageLength = 0.0
        if let row = totals.first {
            documentCount = try row.decode(Int.self, column: "document_count")
            // Stored impacts were computed with the reference length, so scores and explanations use it too.
            averageLength = try row.decode(Double.self, column: "reference_length")
        }
        var frequencies: [String: Int] = [:]
        var exact: [String] = []
        for unit in plan.analyzed.units {
            if unit.isPrefix, let last = unit.positions.last {
                exact.append(contentsOf: unit.positions.dropLast().flatMap { $0 })
                for stem in last {
                    let pattern = stem.replacingOccurrences(of: "\\", with: "\\\\")
                        .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
                    let expansions = try await connection.query("""
                        SELECT lexeme, document_frequency FROM term_statistics
                        WHERE collection_id = \(collectionID) AND lexeme LIKE \(pattern) AND document_frequency > 0
                        ORDER BY document_frequency DESC, lexeme LIMIT \(options.prefixExpansions)
                        """)
                    for row in expansions {
                        frequencies[try row.decode(String.self, column: "lexeme")] =
                            try row.decode(Int.self, column: "document_frequency")
                    }
                }
            } else {
                exact.append(contentsOf: unit.lexemes)
            }
        }
        if !exact.isEmpty {
            let rows = try await connection.query("""
                SELECT lexeme, document_frequency FROM term_statistics
                WHERE collection_id = \(collectionID) AND lexeme = ANY(\(Array(Set(exact))))
                """)
            for lexeme in exact { frequencies[lexeme] = 0 }
            for row in rows {
                frequencies[try row.decode(String.self, column: "lexeme")] = try row.decode(Int.self, column: "document_frequency")
            }
        }
        return PinnedStatistics(documentCount: documentCount, averageDocumentLength: averageLength, documentFrequencies: frequencies)
    }

    // MARK: match mode

    /// `auto`: `all` when it fills a page, otherwise `any`.
    private func resolveMatchMode(_ plan: SearchPlan, on connection: PostgresConnection) async throws -> MatchMode {
        guard plan.request.match == .auto else { return plan.request.match }
        guard plan.analyzed.clauses.count > 1 else { return .all }
        var probe = plan
        probe.matchUsed = .all
        let count = try await connection.query(
            "SELECT count(*) AS n FROM (SELECT 1 \(probe.matchingRows) LIMIT \(plan.request.limit)) AS m"
        ).single().decode(Int.self, column: "n")
        return count >= plan.request.limit ? .all : .any
    }

    // MARK: the page

    private func page(_ plan: SearchPlan, after cursor: PageCursor?, on connection: PostgresConnection) async throws -> SearchPage {
        let request = plan.request
        let ranked: [RankedRow]
        if let topK = try await ImpactOrderedTopK.rank(plan, after: cursor, options: options, on: connection) {
            ranked = topK
        } else {
            ranked = try await exhaustiveRanking(plan, after: cursor, on: connection)
        }
        let pageRows = ranked.prefix(request.limit)
        let stored = try await connection.query("""
            SELECT id, external_id, document::text AS body, search_vector::text AS vector, class_lengths
            FROM documents WHERE id = ANY(\(pageRows.map { $0.id }))
            """)
        var byID: [UUID: PostgresRow] = [:]
        for row in stored { byID[try row.decode(UUID.self, column: "id")] = row }
        var hits: [Hit] = []
        for ranked in pageRows {
            guard let row = byID[ranked.id] else { continue }
            var hit = Hit(
                id: try row.decode(String.self, column: "external_id"), score: ranked.score,
                document: try row.decode(String.self, column: "body"))
            if request.explain, request.ranking == .bm25, !plan.stopWordsOnly {
                hit.explanation = ScoreExplainer.explain(
                    vector: try row.decode(String.self, column: "vector"),
                    classLengths: try row.decode([Int].self, column: "class_lengths"), plan: plan)
            }
            hits.append(hit)
        }
        if let highlight = request.highlight, !hits.isEmpty {
            try await PageHighlighter.highlight(
                &hits, request: highlight, plan: plan, maximumBytes: options.highlightMaximumBytes, on: connection)
        }
        var nextCursor: String?
        if ranked.count > request.limit, let last = pageRows.last {
            nextCursor = cursors.encode(PageCursor(
                fingerprint: cursors.fingerprint(of: request), matchUsed: plan.matchUsed,
                // Swift prints the shortest text that reads back as the same Double, so the key is exact.
                lastValue: request.sort == nil ? String(last.score) : last.sortValue ?? "null",
                lastID: last.id.uuidString, statistics: plan.statistics))
        }
        let (total, exact) = try await countMatches(plan, on: connection)
        return SearchPage(hits: hits, nextCursor: nextCursor, estimatedTotalHits: total, totalIsExact: exact, matchUsed: plan.matchUsed)
    }

    /// Scores every match; used for small match sets, other rankings, attribute sorts and stop-word queries.
    private func exhaustiveRanking(
        _ plan: SearchPlan, after cursor: PageCursor?, on connection: PostgresConnection
    ) async throws -> [RankedRow] {
        var query: PostgresQuery = "SELECT id, score, sort_value FROM (SELECT d.id,"
        query.append(" \(plan.scoreExpression) AS score, \(plan.sortExpression) AS sort_value ")
        query.append(plan.matchingRows)
        query.append(") AS scored")
        if let cursor {
            query.append(" WHERE \(try plan.keysetCondition(after: cursor))")
        }
        query.append(PostgresQuery(unsafeSQL: " ORDER BY \(plan.orderBy(prefix: ""))"))
        query.append(" LIMIT \(plan.request.limit + 1)")
        return try await connection.query(query).map { row in
            RankedRow(
                id: try row.decode(UUID.self, column: "id"), score: try row.decode(Double.self, column: "score"),
                sortValue: try row.decode(String?.self, column: "sort_value"))
        }
    }

    /// Exact below `exactCountLimit`; above it, the count is at least that and estimated from term statistics.
    private func countMatches(_ plan: SearchPlan, on connection: PostgresConnection) async throws -> (Int, Bool) {
        let cap = options.exactCountLimit
        let counted = try await connection.query(
            "SELECT count(*) AS n FROM (SELECT 1 \(plan.matchingRows) LIMIT \(cap + 1)) AS m"
        ).single().decode(Int.self, column: "n")
        guard counted > cap else { return (counted, true) }
        let frequencies = plan.analyzed.units.map { unit in
            unit.lexemes.map { plan.statistics.documentFrequencies[$0] ?? 0 }.max() ?? 0
        }
        let estimate = plan.matchUsed == .all
            ? frequencies.min() ?? counted
            : min(frequencies.reduce(0, +), plan.statistics.documentCount)
        return (max(estimate, counted), false)
    }
}

// MARK: - SQL for one search

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

    /// The vector to match: the stored one, or, for stop-word-only queries, the fields' text analysed
    /// on the fly without stop-word removal.
    var vectorExpression: PostgresQuery {
        guard stopWordsOnly else { return "d.search_vector" }
        let fields = collection.definition.fields.map(\.name)
        return "to_tsvector('simple', array_to_string(ARRAY(SELECT d.document ->> f FROM unnest(\(fields)::text[]) AS f), ' '))"
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
        return "(SELECT coalesce(sum(q.idf * p.impact), 0) FROM unnest(\(scoringLexemes)::text[], \(scoringIDFs)::float8[]) AS q(lexeme, idf) JOIN postings p ON p.collection_id = \(collection.id) AND p.lexeme = q.lexeme AND p.document_id = d.id)"
    }

    var scoringLexemes: [String] { statistics.documentFrequencies.keys.sorted() }

    var scoringIDFs: [Double] {
        scoringLexemes.map { Bm25.idf(documentFrequency: statistics.documentFrequencies[$0] ?? 0, documentCount: statistics.documentCount) }
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

/// One ranked match: its id, its score and, under an attribute sort, the attribute as jsonb text.
struct RankedRow: Sendable {
    let id: UUID
    let score: Double
    let sortValue: String?
}

enum Bm25 {
    /// Lucene's BM25 IDF, never negative: ln(1 + (N - df + 0.5) / (df + 0.5)).
    static func idf(documentFrequency: Int, documentCount: Int) -> Double {
        let n = Double(max(documentCount, documentFrequency)), df = Double(documentFrequency)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }
}
