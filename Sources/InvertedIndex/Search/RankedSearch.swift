import SearchCore

/// Finds a page's matches in a snapshot: every segment in turn into one bounded heap, so later segments
/// start with the threshold the earlier ones set.
///
/// Four strategies, all giving the same page and the same scores (a score is always the sum, in lexeme
/// byte order, of idf * impact over the scoring terms a document holds):
/// - one plain term with a champion list in the segment (`ChampionLists`): its champions are scored, and
///   when the rest of its postings cannot reach the k-th score that is the segment's share; otherwise
///   everything is put back and the segment goes the MaxScore way.
/// - plain terms combined by OR: MaxScore (Turtle and Flood) with block-max skipping. Terms whose bounds
///   add up to less than the current k-th score cannot bring in a document alone, so only the other
///   ("essential") lists are walked; a run of documents whose block bounds cannot reach the threshold is
///   skipped without decoding.
/// - plain terms combined by AND: leapfrog intersection from the rarest list, skipping runs of blocks
///   whose bounds cannot reach the threshold.
/// - anything else (phrases, prefixes, attribute sorts): every match is visited and
///   scored, and counted exactly.
struct RankedSearch {
    let plan: SearchPlan
    let keyset: Keyset?
    private(set) var collector: TopKCollector
    /// Matches counted (exact unless `pruned`).
    private(set) var matches = 0
    /// True when some documents were passed over by their bounds, so `matches` is not a total.
    private(set) var pruned = false
    /// Segments whose share of the page came from a champion list alone.
    private(set) var championSegments = 0
    private var contributions: [Double]
    private var touched: [Int] = []

    private let pruning: Bool

    init(plan: SearchPlan, keyset: Keyset?, pruning: Bool = true) {
        self.plan = plan
        self.pruning = pruning
        self.keyset = keyset
        collector = TopKCollector(capacity: plan.request.limit + 1, order: ResultOrder(sort: plan.request.sort))
        contributions = Array(repeating: 0, count: plan.scoringTerms.count)
    }

    mutating func run() {
        let request = plan.request
        let disjunctive = pruning && plan.plainTerms && (plan.matchUsed == .any || plan.analyzed.clauses.count == 1)
        let conjunctive = pruning && plan.plainTerms && plan.matchUsed == .all
            && plan.analyzed.clauses.allSatisfy { $0.count == 1 && $0[0].positions[0].count == 1 }
        for (segmentIndex, state) in plan.snapshot.segments.enumerated() where state.live.count > 0 {
            if request.sort == nil && disjunctive {
                if plan.scoringTerms.count == 1 && plan.conditions.isEmpty && championsSuffice(state, segmentIndex) {
                    championSegments += 1
                    continue
                }
                maxScore(state, segmentIndex)
            } else if request.sort == nil && conjunctive {
                intersection(state, segmentIndex)
            } else {
                exhaustive(state, segmentIndex)
            }
        }
    }

    /// The best matches in result order (one more than the page when another page follows).
    var ranked: [RankedMatch] { collector.sorted() }

    // MARK: - Scoring

    private struct ScoringCursor {
        let term: Int
        let idf: Double
        let cursor: PostingsCursor
    }

    private func scoringCursors(_ segment: Segment) -> [ScoringCursor] {
        let index = plan.index(of: segment)
        return plan.scoringTerms.enumerated().compactMap { term, scoring in
            index.dictionary.ordinal(of: scoring.lexeme).map { ScoringCursor(term: term, idf: scoring.idf, cursor: PostingsCursor(index: index, term: $0)) }
        }
    }

    @inline(__always)
    private mutating func contribute(_ scoring: ScoringCursor, _ weightedLength: Double) -> Double {
        contribute(term: scoring.term, idf: scoring.idf, weightedFrequency: scoring.cursor.weightedFrequency, weightedLength: weightedLength)
    }

    @inline(__always)
    private mutating func contribute(term: Int, idf: Double, weightedFrequency: Double, weightedLength: Double) -> Double {
        let value = idf * plan.scoring.impact(weightedFrequency: weightedFrequency, weightedLength: weightedLength)
        contributions[term] = value
        touched.append(term)
        return value
    }

    /// The sum of this document's contributions in term order, which every strategy shares.
    private mutating func canonicalScore() -> Double {
        touched.sort()
        var total = 0.0
        for term in touched { total += contributions[term] }
        touched.removeAll(keepingCapacity: true)
        return total
    }

    private mutating func discardContributions() {
        touched.removeAll(keepingCapacity: true)
    }

    /// Exclusions, the keyset, the threshold and the filters, cheapest first; then into the heap.
    private mutating func consider(
        _ number: UInt32, score: Double, segment: Segment, segmentIndex: Int, exclusion: (any DocumentMatcher)?
    ) {
        if let exclusion {
            exclusion.advance(to: number)
            if exclusion.document == number { return }
        }
        let identifier = segment.identifiers[Int(number)]
        let match = RankedMatch(score: score, sortValue: nil, identifier: identifier, segment: segmentIndex, number: number)
        let wanted = (keyset?.admits(match) ?? true) && collector.wouldKeep(score: score, identifier: identifier)
        // A match that cannot enter the page still counts while every match is being counted.
        guard wanted || !pruned else { return }
        guard plan.conditions.isEmpty || passesFilters(segment, number) else { return }
        matches += 1
        if wanted { collector.offer(match) }
    }

    private func passesFilters(_ segment: Segment, _ number: UInt32) -> Bool {
        guard let body = try? JSONParser.parse(Array(segment.documents[Int(number)].utf8), limits: .init(maximumDepth: 64, maximumStringBytes: .max))
        else { return false }
        return plan.conditions.matches(body)
    }

    // MARK: - One plain term: its champion list

    /// Offers the live champions of the one scoring term; true when the heap is then full and no other
    /// posting of the term in this segment can reach its threshold. Otherwise the heap and counts are put
    /// back as they were, so the full walk that follows never offers a document twice.
    private mutating func championsSuffice(_ state: SegmentState, _ segmentIndex: Int) -> Bool {
        let segment = state.segment
        let index = plan.index(of: segment)
        let champions = plan.champions(of: segment)
        let term = plan.scoringTerms[0]
        guard let ordinal = index.dictionary.ordinal(of: term.lexeme), let list = champions.list(ofTerm: ordinal) else { return false }
        let saved = (collector, matches, pruned)
        // Postings outside the list are not visited, so matches are no longer all counted.
        pruned = true
        let exclusion = plan.exclusionMatcher(in: segment)
        for champion in champions.champions(of: list) {
            let number = champions.documents[champion]
            guard state.live.contains(number) else { continue }
            _ = contribute(
                term: 0, idf: term.idf, weightedFrequency: champions.weightedFrequencies[champion],
                weightedLength: index.weightedLengths[Int(number)])
            consider(number, score: canonicalScore(), segment: segment, segmentIndex: segmentIndex, exclusion: exclusion)
        }
        // Strictly below, with a margin for the rounding of bounds: a tie could still enter by its id.
        let othersBound = term.idf * champions.otherPostingsBound(of: list, plan.scoring) * (1 + 1e-9)
        if collector.isFull && othersBound < collector.threshold { return true }
        (collector, matches, pruned) = saved
        return false
    }

    // MARK: - OR of plain terms: MaxScore with block-max skipping

    private mutating func maxScore(_ state: SegmentState, _ segmentIndex: Int) {
        let segment = state.segment
        let index = plan.index(of: segment)
        let exclusion = plan.exclusionMatcher(in: segment)
        let weightedLengths = index.weightedLengths
        // Ascending bounds: the first `essentialStart` lists are non-essential.
        let cursors = scoringCursors(segment).map { ($0, $0.idf * index.termBound($0.cursor.term, plan.scoring)) }
            .sorted { $0.1 < $1.1 }
        guard !cursors.isEmpty else { return }
        let lists = cursors.map(\.0)
        let bounds = cursors.map(\.1)
        var prefixBound = [0.0]
        for bound in bounds { prefixBound.append(prefixBound[prefixBound.count - 1] + bound) }
        var essentialStart = 0
        func updateEssential(_ threshold: Double) {
            while essentialStart < lists.count, prefixBound[essentialStart + 1] < threshold { essentialStart += 1 }
        }
        updateEssential(collector.threshold)
        if essentialStart > 0 { pruned = true }

        while essentialStart < lists.count {
            var candidate = PostingsCursor.exhausted
            for position in essentialStart..<lists.count { candidate = min(candidate, lists[position].cursor.document) }
            if candidate == PostingsCursor.exhausted { break }
            let threshold = collector.threshold

            // Block-max: every essential list's current block covers [candidate, boundary].
            if collector.isFull {
                var bound = prefixBound[essentialStart]
                var boundary = UInt32.max
                for position in essentialStart..<lists.count {
                    let cursor = lists[position].cursor
                    guard !cursor.isExhausted else { continue }
                    bound += lists[position].idf * index.blockBound(cursor.block, plan.scoring)
                    boundary = min(boundary, cursor.lastDocument(ofBlock: cursor.block))
                }
                if bound < threshold {
                    pruned = true
                    // Extend the skip over the following blocks while they cannot reach the threshold either,
                    // reading only their skip entries, so skipped blocks are never decoded.
                    var end = boundary
                    while end < PostingsCursor.exhausted - 1 {
                        var nextBound = prefixBound[essentialStart]
                        var nextEnd = UInt32.max
                        for position in essentialStart..<lists.count {
                            let cursor = lists[position].cursor
                            guard !cursor.isExhausted, let block = cursor.shallowBlock(for: end + 1) else { continue }
                            nextBound += lists[position].idf * index.blockBound(block, plan.scoring)
                            nextEnd = min(nextEnd, cursor.lastDocument(ofBlock: block))
                        }
                        if nextBound >= threshold { break }
                        end = nextEnd
                    }
                    let target = end >= PostingsCursor.exhausted - 1 ? PostingsCursor.exhausted : end + 1
                    for position in essentialStart..<lists.count { lists[position].cursor.advance(to: target) }
                    continue
                }
            }

            let live = state.live.contains(candidate)
            var partial = 0.0
            if live {
                for position in essentialStart..<lists.count where lists[position].cursor.document == candidate {
                    partial += contribute(lists[position], weightedLengths[Int(candidate)])
                }
                var survived = true
                var position = essentialStart - 1
                while position >= 0 {
                    if partial + prefixBound[position + 1] < threshold {
                        survived = false
                        pruned = true
                        break
                    }
                    let list = lists[position]
                    list.cursor.advance(to: candidate)
                    if list.cursor.document == candidate { partial += contribute(list, weightedLengths[Int(candidate)]) }
                    position -= 1
                }
                if survived {
                    consider(candidate, score: canonicalScore(), segment: segment, segmentIndex: segmentIndex, exclusion: exclusion)
                    updateEssential(collector.threshold)
                    // Documents only in non-essential lists are no longer visited, so no longer counted.
                    if essentialStart > 0 { pruned = true }
                } else {
                    discardContributions()
                }
            }
            for position in essentialStart..<lists.count where lists[position].cursor.document == candidate {
                lists[position].cursor.next()
            }
        }
    }

    // MARK: - AND of plain terms: leapfrog with block-max skipping

    private mutating func intersection(_ state: SegmentState, _ segmentIndex: Int) {
        let segment = state.segment
        let index = plan.index(of: segment)
        let exclusion = plan.exclusionMatcher(in: segment)
        let weightedLengths = index.weightedLengths
        let lists = scoringCursors(segment).sorted { $0.cursor.documentFrequency < $1.cursor.documentFrequency }
        // A term the segment lacks: nothing here matches every clause.
        guard lists.count == plan.scoringTerms.count, let lead = lists.first else { return }
        var target = lead.cursor.document
        while target != PostingsCursor.exhausted {
            if collector.isFull {
                var bound = 0.0
                var boundary = UInt32.max
                var exhausted = false
                for list in lists {
                    guard let block = list.cursor.shallowBlock(for: target) else { exhausted = true; break }
                    bound += list.idf * index.blockBound(block, plan.scoring)
                    boundary = min(boundary, list.cursor.lastDocument(ofBlock: block))
                }
                if exhausted { return }
                if bound < collector.threshold {
                    pruned = true
                    guard boundary < PostingsCursor.exhausted - 1 else { return }
                    lead.cursor.advance(to: boundary + 1)
                    target = lead.cursor.document
                    continue
                }
            }
            var aligned = true
            for list in lists {
                list.cursor.advance(to: target)
                if list.cursor.document != target {
                    target = list.cursor.document
                    aligned = false
                    break
                }
            }
            guard aligned else {
                if target != PostingsCursor.exhausted { lead.cursor.advance(to: target); target = lead.cursor.document }
                continue
            }
            if state.live.contains(target) {
                for list in lists { _ = contribute(list, weightedLengths[Int(target)]) }
                consider(target, score: canonicalScore(), segment: segment, segmentIndex: segmentIndex, exclusion: exclusion)
            }
            lead.cursor.next()
            target = lead.cursor.document
        }
    }

    // MARK: - Everything else: visit every match

    private mutating func exhaustive(_ state: SegmentState, _ segmentIndex: Int) {
        let segment = state.segment
        let index = plan.index(of: segment)
        let matcher = plan.matcher(in: segment, mode: plan.matchUsed)
        let exclusion = plan.exclusionMatcher(in: segment)
        let lists = scoringCursors(segment)
        let weightedLengths = index.weightedLengths
        let sort = plan.request.sort
        while matcher.document != PostingsCursor.exhausted {
            let number = matcher.document
            defer { matcher.next() }
            guard state.live.contains(number) else { continue }
            if let exclusion {
                exclusion.advance(to: number)
                if exclusion.document == number { continue }
            }
            var body: JSONValue?
            if !plan.conditions.isEmpty || sort != nil {
                body = try? JSONParser.parse(Array(segment.documents[Int(number)].utf8), limits: .init(maximumDepth: 64, maximumStringBytes: .max))
                if !plan.conditions.isEmpty, !(body.map(plan.conditions.matches) ?? false) { continue }
            }
            matches += 1
            for list in lists {
                list.cursor.advance(to: number)
                if list.cursor.document == number { _ = contribute(list, weightedLengths[Int(number)]) }
            }
            var match = RankedMatch(
                score: canonicalScore(), sortValue: nil, identifier: segment.identifiers[Int(number)],
                segment: segmentIndex, number: number)
            if let sort { match.sortValue = body?[sort.field] ?? .null }
            if let keyset, !keyset.admits(match) { continue }
            collector.offer(match)
        }
    }
}

extension SearchPlan {
    /// `auto`: `all` when it fills a page, otherwise `any` (counting `all` matches up to one page).
    func resolvedMatchMode() -> MatchMode {
        guard request.match == .auto else { return request.match }
        guard analyzed.clauses.count > 1 else { return .all }
        var found = 0
        for state in snapshot.segments where state.live.count > 0 {
            let segment = state.segment
            let matcher = matcher(in: segment, mode: .all)
            let exclusion = exclusionMatcher(in: segment)
            while matcher.document != PostingsCursor.exhausted {
                let number = matcher.document
                matcher.next()
                guard state.live.contains(number) else { continue }
                if let exclusion {
                    exclusion.advance(to: number)
                    if exclusion.document == number { continue }
                }
                if !conditions.isEmpty {
                    guard let body = try? JSONParser.parse(Array(segment.documents[Int(number)].utf8), limits: .init(maximumDepth: 64, maximumStringBytes: .max)),
                          conditions.matches(body) else { continue }
                }
                found += 1
                if found >= request.limit { return .all }
            }
        }
        return .any
    }
}
