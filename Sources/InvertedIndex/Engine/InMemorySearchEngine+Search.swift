public import SearchCore

extension InMemorySearchEngine {
    public func search(_ request: SearchRequest) async throws(SearchError) -> SearchPage {
        let request = try request.validated()
        let snapshot = try index(request.collection).snapshot
        return try search(request, on: snapshot)
    }

    /// One search on one snapshot; synchronous, so benchmarks can time the work alone. Without `pruning`
    /// every match is scored (to check that pruning changes nothing).
    func search(_ request: SearchRequest, on snapshot: IndexSnapshot, pruning: Bool = true) throws(SearchError) -> SearchPage {
        let (plan, keyset) = try self.plan(request, on: snapshot)
        var search = RankedSearch(plan: plan, keyset: keyset, pruning: pruning)
        search.run()
        let ranked = search.ranked
        let pageMatches = Array(ranked.prefix(request.limit))
        var hits: [Hit] = []
        var bodies: [JSONValue?] = []
        let highlight = request.highlight?.resolved(for: snapshot.definition)
        for match in pageMatches {
            let json = snapshot.segments[match.segment].segment.documents[Int(match.number)]
            var hit = Hit(id: match.identifier, score: match.score, document: json)
            if request.explain, !plan.stopWordsOnly {
                hit.explanation = HitDecoration.explain(match, plan: plan)
            }
            hits.append(hit)
            if highlight != nil {
                bodies.append(try? JSONParser.parse(Array(json.utf8), limits: .init(maximumDepth: 64, maximumStringBytes: .max)))
            }
        }
        if let highlight, !hits.isEmpty {
            HitDecoration.highlight(&hits, bodies: bodies, request: highlight, plan: plan, maximumBytes: options.highlightMaximumBytes)
        }
        var nextCursor: String?
        if ranked.count > request.limit, let last = pageMatches.last {
            nextCursor = cursors.encode(PageCursor(
                fingerprint: cursors.fingerprint(of: request), matchUsed: plan.matchUsed,
                // Swift prints the shortest text that reads back as the same Double, so the key is exact.
                lastValue: request.sort == nil ? String(last.score) : (last.sortValue ?? .null).serialized(),
                lastID: last.identifier, statistics: plan.statistics))
        }
        let total = search.pruned ? max(plan.estimatedMatches, search.matches, hits.count) : search.matches
        return SearchPage(
            hits: hits, nextCursor: nextCursor, estimatedTotalHits: total, totalIsExact: !search.pruned, matchUsed: plan.matchUsed)
    }

    /// Everything a search fixes before reading postings: the analysed query, its statistics (pinned by the
    /// cursor, if any) and match mode, and where the previous page stopped.
    func plan(_ request: SearchRequest, on snapshot: IndexSnapshot) throws(SearchError) -> (SearchPlan, Keyset?) {
        guard request.ranking == .bm25 else {
            throw .invalidRequest(parameter: "ranking", reason: "the in-memory engine ranks with bm25 only")
        }
        let cursor = try request.cursor.map { text throws(SearchError) in try cursors.decode(text, for: request) }
        let parsed = QueryParser.parse(request.query)
        guard !parsed.isEmpty else {
            throw .invalidRequest(parameter: "q", reason: "the query has no words to search for")
        }
        let conditions = try AttributeConditions(request.filters)
        let keyset = try cursor.map { cursor throws(SearchError) in try Keyset(cursor: cursor, sort: request.sort) }

        var analyzed = AnalyzedQuery.analyze(parsed, simple: snapshot.definition.language == .simple)
        var stopWordsOnly = false
        if analyzed.isEmpty {
            // Only stop words: match them verbatim rather than return nothing.
            analyzed = AnalyzedQuery.analyze(parsed, simple: true)
            guard !analyzed.isEmpty else {
                throw .invalidRequest(parameter: "q", reason: "the query has no words to search for")
            }
            stopWordsOnly = true
        }
        let statistics = cursor?.statistics
            ?? QueryStatistics.load(analyzed, snapshot: snapshot, stopWords: stopWordsOnly, expansions: options.prefixExpansions)
        var plan = SearchPlan(
            request: request, snapshot: snapshot, analyzed: analyzed, stopWordsOnly: stopWordsOnly,
            conditions: conditions, statistics: statistics)
        plan.matchUsed = cursor?.matchUsed ?? plan.resolvedMatchMode()
        return (plan, keyset)
    }
}
