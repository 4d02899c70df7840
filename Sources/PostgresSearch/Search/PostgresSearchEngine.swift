import Foundation
public import PostgresClient
public import SearchCore

/// The query service on PostgreSQL: web-style queries, BM25 (or `ts_rank`/`ts_rank_cd`), highlighting,
/// filters, and signed keyset cursors.
///
/// One search is one read-only REPEATABLE READ transaction (settings, statistics and matches see one
/// snapshot) of about seven round trips: begin, collection, analysis, statistics, ranking with the page's
/// documents (three for packed postings), highlighting, commit. Statements run again are served prepared (`PostgresConnection`).
public struct PostgresSearchEngine: SearchEngine {
    public struct Options: Sendable {
        /// A search running longer is cancelled and reported as `queryTimeout`.
        public var statementTimeout: Duration = .seconds(5)
        /// The `prefix*` units of a query score with at most this many of the collection's most frequent
        /// expansions in all (at least 5 each).
        public var prefixExpansions = 50
        /// Highlighting reads at most this much of each field.
        public var highlightMaximumBytes = 100_000
        /// Up to this many estimated matches, every match is scored (and counted exactly); above, the top k
        /// comes from pruned strategies (`TopKRanking`) and the total is estimated from term statistics.
        public var exhaustiveMatchLimit = 2_000
        /// The same for queries whose estimate is only an upper bound (AND, phrases, exclusions, filters:
        /// the rarest term's document count): the GIN index finds their usually far fewer matches quickly.
        public var exhaustiveConjunctionLimit = 8_000
        /// A pure OR of several plain terms with at most this many postings in all is scored by aggregating them.
        public var aggregatedPostingsLimit = 40_000
        /// How many postings impact-ordered rounds may read in all before switching to MaxScore (an OR of
        /// plain terms) or scoring every match.
        public var maximumPostingsRead = 20_000
        /// Impact-ordered rounds at most, before the same switch.
        public var impactOrderedRounds = 4
        /// Per impact-ordered round, the candidates scored exactly to find theta: 3(k+1), plus the postings
        /// read divided by this and by the number of lists.
        public var impactOrderedPoolShare = 16
        /// Rank from packed postings where a collection has them (`PackedTopK`); off, only the row-based
        /// strategies run (for comparison).
        public var packedPostings = true
        /// Packed postings (`PackedTopK`) rank a query only when its unpacked lexemes hold at most this many
        /// postings in all, read row by row ...
        public var unpackedPostingsLimit = 20_000
        /// ... and at most this many documents were written since the collection's packs were built.
        public var packedMaskLimit = 2_000
        /// A stop-word-only query ranks at most this many of its matches (`ts_rank` on the stop-word vector).
        public var stopWordCandidates = 1_000

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

    public var name: String { "postgres" }

    public func search(_ request: SearchRequest) async throws(SearchError) -> SearchPage {
        do {
            return try await run(try request.validated())
        } catch {
            throw .from(error, doing: "the search")
        }
    }

    private func run(_ request: SearchRequest) async throws -> SearchPage {
        let cursor = try request.cursor.map { text throws(SearchError) in try cursors.decode(text, for: request) }
        let parsed = QueryParser.parse(request.query)
        guard !parsed.isEmpty else {
            throw SearchError.invalidRequest(parameter: "q", reason: "the query has no words to search for")
        }
        let filters = try FilterSQL(request.filters)
        return try await pool.withTransaction(.repeatableRead, readOnly: true, timeout: options.statementTimeout) { connection in
            let plan = try await self.plan(request, parsed: parsed, filters: filters, cursor: cursor, on: connection)
            return try await page(plan, after: cursor, on: connection)
        }
    }

    /// The search's plan: the collection, the analysed query, and the statistics and match mode (pinned by
    /// the cursor after the first page). All are read on `connection`, in the search's own snapshot, so
    /// settings and statistics agree and no second connection is taken.
    func plan(
        _ request: SearchRequest, parsed: ParsedQuery, filters: FilterSQL, cursor: PageCursor?, on connection: PostgresConnection
    ) async throws -> SearchPlan {
        guard let collection = try await CollectionStore.find(request.collection, on: connection) else {
            throw SearchError.collectionNotFound(request.collection)
        }
        var plan = SearchPlan(request: request, collection: collection, analyzed: AnalyzedQuery(clauses: [], exclusions: []), filters: filters)
        plan.analyzed = try await QueryAnalyzer.analyze(
            parsed, configuration: collection.definition.language.rawValue, on: connection)
        if plan.analyzed.isEmpty {
            // Only stop words: match them verbatim rather than return nothing.
            plan.analyzed = try await QueryAnalyzer.analyze(parsed, configuration: "simple", on: connection)
            guard !plan.analyzed.isEmpty else {
                throw SearchError.invalidRequest(parameter: "q", reason: "the query has no words to search for")
            }
            plan.stopWordsOnly = true
        }
        if let pinned = cursor?.statistics {
            plan.statistics = pinned
        } else {
            plan.statistics = try await SearchStatistics.load(for: plan, expansions: options.prefixExpansions, on: connection)
        }
        if let pinned = cursor?.matchUsed {
            plan.matchUsed = pinned
        } else {
            plan.matchUsed = try await SearchStatistics.resolveMatchMode(plan, on: connection)
        }
        return plan
    }

    private func page(_ plan: SearchPlan, after cursor: PageCursor?, on connection: PostgresConnection) async throws -> SearchPage {
        let request = plan.request
        let ranked: RankedPage
        if options.packedPostings, let packed = try await PackedTopK.rank(plan, after: cursor, options: options, on: connection) {
            ranked = packed
        } else if let topK = try await TopKRanking.rank(plan, after: cursor, options: options, on: connection) {
            ranked = topK
        } else {
            ranked = try await exhaustiveRanking(plan, after: cursor, on: connection)
        }
        let pageRows = ranked.rows.prefix(request.limit)
        var hits: [Hit] = []
        for row in pageRows {
            var hit = Hit(id: row.externalID, score: row.score, document: row.body)
            if request.explain, request.ranking == .bm25, !plan.stopWordsOnly {
                hit.explanation = ScoreExplainer.explain(vector: row.vector, classLengths: row.classLengths, plan: plan)
            }
            hits.append(hit)
        }
        if let highlight = request.highlight?.resolved(for: plan.collection.definition), !hits.isEmpty {
            try await PageHighlighter.highlight(
                &hits, request: highlight, plan: plan, maximumBytes: options.highlightMaximumBytes, on: connection)
        }
        var nextCursor: String?
        if ranked.rows.count > request.limit, let last = pageRows.last {
            nextCursor = cursors.encode(PageCursor(
                fingerprint: cursors.fingerprint(of: request), matchUsed: plan.matchUsed,
                // Swift prints the shortest text that reads back as the same Double, so the key is exact.
                lastValue: request.sort == nil ? String(last.score) : last.sortValue ?? "null",
                lastID: last.id.uuidString, statistics: plan.statistics))
        }
        let total: Int
        let exact: Bool
        if let counted = ranked.exactTotal {
            (total, exact) = (counted, !plan.stopWordsOnly || counted < options.stopWordCandidates)
        } else {
            (total, exact) = (max(plan.estimatedMatches, hits.count), false)
        }
        return SearchPage(hits: hits, nextCursor: nextCursor, estimatedTotalHits: total, totalIsExact: exact, matchUsed: plan.matchUsed)
    }

    /// Scores every match; used for small match sets, other rankings, attribute sorts and stop-word queries.
    /// The window count gives the exact total at no extra cost, since every match is visited anyway.
    private func exhaustiveRanking(
        _ plan: SearchPlan, after cursor: PageCursor?, on connection: PostgresConnection
    ) async throws -> RankedPage {
        // Plain terms: the postings alone say which documents match. For an AND that can match few
        // documents, the GIN index finds them faster than a pass over its postings.
        if plan.postingsDecideMatches || (plan.postingsMatch != nil && plan.estimatedMatches > options.exhaustiveConjunctionLimit) {
            return try await PostingsAggregation.rank(plan, after: cursor, on: connection)
        }
        var matches: PostgresQuery = "SELECT d.id, \(plan.scoreExpression) AS score, \(plan.sortExpression) AS sort_value \(plan.matchingRows)"
        if plan.stopWordsOnly {
            // A lone stop word can match most of the collection: rank a bounded number of its matches.
            matches.append(" LIMIT \(options.stopWordCandidates)")
        }
        var query: PostgresQuery = """
            SELECT m.id, m.score, m.sort_value, m.total, \(unsafeRaw: RankedRow.documentColumns)
            FROM (SELECT * FROM (SELECT x.*, count(*) OVER () AS total FROM (\(matches)) AS x) AS scored
            """
        if let cursor {
            query.append(" WHERE \(try plan.keysetCondition(after: cursor))")
        }
        query.append(PostgresQuery(unsafeSQL: " ORDER BY \(plan.orderBy(prefix: ""))"))
        query.append(" LIMIT \(plan.request.limit + 1)) AS m JOIN documents d ON d.id = m.id")
        query.append(PostgresQuery(unsafeSQL: " ORDER BY \(plan.orderBy(prefix: "m."))"))
        let rows = try await connection.query(query)
        var total = try rows.first?.decode(Int.self, column: "total")
        if total == nil {
            // Past the last page: count the matches on their own.
            total = try await connection.query(
                "SELECT count(*) AS n FROM (SELECT 1 \(plan.matchingRows) LIMIT \(plan.stopWordsOnly ? options.stopWordCandidates : Int(Int32.max))) AS m"
            ).single().decode(Int.self, column: "n")
        }
        return RankedPage(rows: try rows.map(RankedRow.init), exactTotal: total)
    }
}
