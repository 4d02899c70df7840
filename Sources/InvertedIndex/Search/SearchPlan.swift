import SearchCore

/// Everything one search needs, fixed before any posting is read: the snapshot, the analysed query, the
/// statistics it scores with (fresh, or pinned by a cursor) and the resolved match mode.
struct SearchPlan {
    let request: SearchRequest
    let snapshot: IndexSnapshot
    let analyzed: AnalyzedQuery
    /// A query of only stop words runs against the stop-word index.
    let stopWordsOnly: Bool
    let conditions: AttributeConditions
    var statistics: PinnedStatistics
    var matchUsed: MatchMode = .all
    let scoringTerms: [ScoringTerm]
    let scoring: Bm25Scoring

    init(
        request: SearchRequest, snapshot: IndexSnapshot, analyzed: AnalyzedQuery, stopWordsOnly: Bool,
        conditions: AttributeConditions, statistics: PinnedStatistics
    ) {
        self.request = request
        self.snapshot = snapshot
        self.analyzed = analyzed
        self.stopWordsOnly = stopWordsOnly
        self.conditions = conditions
        self.statistics = statistics
        scoringTerms = statistics.scoringTerms
        let bm25 = snapshot.definition.bm25
        scoring = Bm25Scoring(k1: bm25.k1, b: bm25.b, averageLength: statistics.averageDocumentLength)
    }

    func index(of segment: Segment) -> PostingsIndex {
        stopWordsOnly ? segment.stopWords : segment.content
    }

    func champions(of segment: Segment) -> ChampionLists {
        stopWordsOnly ? segment.stopChampions : segment.contentChampions
    }

    /// An upper estimate of how many documents match, from document frequencies alone (as the Postgres
    /// engine estimates it when it does not visit every match).
    var estimatedMatches: Int {
        let frequencies = statistics.documentFrequencies
        let total = statistics.documentCount
        func unitMatches(_ unit: AnalyzedUnit) -> Int {
            if unit.isPrefix, let stems = unit.positions.last {
                let expanded = frequencies.filter { lexeme, _ in stems.contains { lexeme.hasPrefix($0) } }.values.reduce(0, +)
                return min(total, expanded)
            }
            return unit.positions.filter { !$0.isEmpty }
                .map { alternatives in min(total, alternatives.map { frequencies[$0] ?? 0 }.reduce(0, +)) }
                .min() ?? 0
        }
        let clauses = analyzed.clauses.map { clause in min(total, clause.map(unitMatches).reduce(0, +)) }
        return matchUsed == .any ? min(total, clauses.reduce(0, +)) : clauses.min() ?? 0
    }

    /// Plain single-word units only: matching is then decided by the scoring terms' postings alone.
    var plainTerms: Bool {
        analyzed.units.allSatisfy { !$0.isPrefix && $0.positions.count == 1 }
    }

    /// The tsquery's matches in one segment (without exclusions, which the caller applies).
    func matcher(in segment: Segment, mode: MatchMode) -> any DocumentMatcher {
        let index = index(of: segment)
        let clauses = analyzed.clauses.map { clause in union(clause.map { unitMatcher($0, index) }) }
        if mode == .any {
            return union(clauses)
        }
        if clauses.contains(where: { $0 is EmptyMatcher }) { return EmptyMatcher() }
        return clauses.count == 1 ? clauses[0] : IntersectionMatcher(clauses)
    }

    /// Documents holding any exclusion, or nil when the query has none.
    func exclusionMatcher(in segment: Segment) -> (any DocumentMatcher)? {
        guard !analyzed.exclusions.isEmpty else { return nil }
        let index = index(of: segment)
        return union(analyzed.exclusions.map { unitMatcher($0, index) })
    }

    private func union(_ matchers: [any DocumentMatcher]) -> any DocumentMatcher {
        let useful = matchers.filter { !($0 is EmptyMatcher) }
        switch useful.count {
        case 0: return EmptyMatcher()
        case 1: return useful[0]
        default: return UnionMatcher(useful)
        }
    }

    private func unitMatcher(_ unit: AnalyzedUnit, _ index: PostingsIndex) -> any DocumentMatcher {
        var slots: [(matcher: any DocumentMatcher, offset: UInt32)] = []
        for (offset, alternatives) in unit.positions.enumerated() where !alternatives.isEmpty {
            let isLast = offset == unit.positions.count - 1
            var matchers: [any DocumentMatcher] = []
            for lexeme in alternatives {
                let bytes = Array(lexeme.utf8)
                if unit.isPrefix && isLast {
                    // Matching takes every expansion; only the most frequent ones score.
                    for ordinal in index.dictionary.range(withPrefix: bytes) {
                        matchers.append(TermMatcher(PostingsCursor(index: index, term: ordinal)))
                    }
                } else if let ordinal = index.dictionary.ordinal(of: bytes) {
                    matchers.append(TermMatcher(PostingsCursor(index: index, term: ordinal)))
                }
            }
            let slot = union(matchers)
            if slot is EmptyMatcher { return EmptyMatcher() }
            slots.append((slot, UInt32(offset)))
        }
        return slots.count == 1 ? slots[0].matcher : PhraseMatcher(slots)
    }
}
