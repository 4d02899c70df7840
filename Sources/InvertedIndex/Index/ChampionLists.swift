import SearchCore

/// The best postings of each frequent term of one index: champion lists (Manning, Raghavan and Schütze,
/// Introduction to Information Retrieval, §7.1.3). A query of that term alone scores a list's champions and
/// stops there when no other posting of the term can reach its page.
///
/// Champions are the `size` postings with the highest BM25 impact under the collection's k1 and b and the
/// index's own average length. Searches score with the snapshot's live statistics instead, so each list also
/// keeps the impact frontier of the term's other postings, which bounds what they can score under any k1, b
/// and average length (as a block's frontier bounds the block); exactness rests on that bound alone, never on
/// which postings were chosen. Lists are chosen whenever a segment is made or loaded; snapshot files do not
/// hold them.
struct ChampionLists: Sendable, Equatable {
    /// Terms in fewer documents than this are walked whole quickly enough with block-max skipping.
    static let minimumFrequency = 8192
    /// Champions per term: a dozen pages of ten, or a page of a hundred, before a search falls back.
    static let size = 128

    /// Ordinals of the terms that have a list, ascending.
    let terms: [UInt32]
    /// List `i` is entries `starts[i]..<starts[i + 1]` of the two arrays below; `terms.count + 1` entries.
    let starts: [UInt32]
    /// The champions' documents, ascending within a list (exclusions are matched in document order).
    let documents: [UInt32]
    /// Each champion's weighted term frequency, exactly as `PostingsCursor` decodes it, so scores are bit-equal.
    let weightedFrequencies: [Double]
    /// List `i`'s frontier of the term's other postings: pairs `restStarts[i]..<restStarts[i + 1]` of
    /// `restPairs`, (weighted tf rounded up, weighted length rounded down) as in `PostingsIndex.impactPairs`.
    let restStarts: [UInt32]
    let restPairs: [Float]

    init(index: PostingsIndex, bm25: Bm25Parameters) {
        let average = index.documentCount == 0 ? 0 : index.weightedLengths.reduce(0, +) / Double(index.documentCount)
        let scoring = Bm25Scoring(k1: bm25.k1, b: bm25.b, averageLength: average)
        var terms: [UInt32] = [], starts: [UInt32] = [0], documents: [UInt32] = [], weighted: [Double] = []
        var restStarts: [UInt32] = [0], restPairs: [Float] = []
        for term in 0..<index.termCount where Int(index.termFrequency[term]) >= Self.minimumFrequency {
            let (champions, others) = Self.choose(term, in: index, scoring)
            terms.append(UInt32(term))
            documents.append(contentsOf: champions.map(\.document))
            weighted.append(contentsOf: champions.map(\.weightedFrequency))
            starts.append(UInt32(documents.count))
            others.append(to: &restPairs)
            restStarts.append(UInt32(restPairs.count / 2))
        }
        self.terms = terms
        self.starts = starts
        self.documents = documents
        self.weightedFrequencies = weighted
        self.restStarts = restStarts
        self.restPairs = restPairs
    }

    /// The list of term `ordinal`, or nil when the term has none.
    func list(ofTerm ordinal: Int) -> Int? {
        var low = 0, high = terms.count
        while low < high {
            let middle = (low + high) / 2
            if Int(terms[middle]) < ordinal { low = middle + 1 } else { high = middle }
        }
        return low < terms.count && Int(terms[low]) == ordinal ? low : nil
    }

    /// Indexes of list `list`'s champions in `documents` and `weightedFrequencies`.
    func champions(of list: Int) -> Range<Int> {
        Int(starts[list])..<Int(starts[list + 1])
    }

    /// The largest impact any posting of the term outside list `list` can have.
    func otherPostingsBound(of list: Int, _ scoring: Bm25Scoring) -> Double {
        scoring.bound(restPairs, pairs: Int(restStarts[list])..<Int(restStarts[list + 1]))
    }

    var bytes: Int {
        terms.count * 4 + starts.count * 4 + documents.count * 4 + weightedFrequencies.count * 8
            + restStarts.count * 4 + restPairs.count * 4
    }

    private struct Champion {
        let document: UInt32
        let weightedFrequency: Double
        let impact: Double
        /// Its block's position among the term's blocks.
        let block: Int

        /// Higher impact first, then the lower document.
        func precedes(_ other: Champion) -> Bool {
            impact != other.impact ? impact > other.impact : document < other.document
        }
    }

    /// The term's `size` best postings (ascending by document) and the frontier of the others. Blocks are
    /// decoded best bound first, until no block left can beat the `size`-th best impact found.
    private static func choose(_ term: Int, in index: PostingsIndex, _ scoring: Bm25Scoring) -> ([Champion], ImpactFrontier) {
        let blocks = index.blocks(ofTerm: term)
        let frequency = Int(index.termFrequency[term])
        let bounds = blocks.map { index.blockBound($0, scoring) }
        let order = bounds.indices.sorted { bounds[$0] > bounds[$1] }
        let cursor = PostingsCursor(index: index, term: term)
        // What was decoded, kept for the frontier of the blocks that hold champions.
        var decodedStart = [Int](repeating: -1, count: blocks.count)
        var decodedDocuments: [UInt32] = [], decodedFrequencies: [Double] = []
        // Trimmed to `size` whenever it holds twice as many; `floor` is then the `size`-th best impact.
        var kept: [Champion] = []
        var floor = -Double.infinity
        for position in order {
            if kept.count >= size && bounds[position] <= floor { break }
            decodedStart[position] = decodedDocuments.count
            cursor.seek(toBlock: blocks.lowerBound + position)
            for posting in 0..<min(PostingsIndex.blockSize, frequency - position * PostingsIndex.blockSize) {
                // Not past the block's last posting, which would decode the next block.
                if posting > 0 { cursor.next() }
                let document = cursor.document, weightedFrequency = cursor.weightedFrequency
                decodedDocuments.append(document)
                decodedFrequencies.append(weightedFrequency)
                let impact = scoring.impact(weightedFrequency: weightedFrequency, weightedLength: index.weightedLengths[Int(document)])
                if impact > floor {
                    kept.append(Champion(document: document, weightedFrequency: weightedFrequency, impact: impact, block: position))
                }
            }
            if kept.count >= 2 * size || (kept.count >= size && floor == -Double.infinity) {
                kept.sort { $0.precedes($1) }
                kept.removeLast(kept.count - size)
                floor = kept[size - 1].impact
            }
        }
        kept.sort { $0.precedes($1) }
        let champions = kept.prefix(size).sorted { $0.document < $1.document }

        // A block without champions adds its stored frontier, a block with some its other decoded postings.
        var others = ImpactFrontier()
        var next = 0
        for position in 0..<blocks.count {
            guard next < champions.count, champions[next].block == position else {
                // Already rounded outwards: rounding them again leaves them as they are.
                let block = blocks.lowerBound + position
                for pair in Int(index.blockImpactStart[block])..<Int(index.blockImpactStart[block + 1]) {
                    others.add(tf: Double(index.impactPairs[2 * pair]), length: Double(index.impactPairs[2 * pair + 1]))
                }
                continue
            }
            let start = decodedStart[position]
            for posting in start..<(start + min(PostingsIndex.blockSize, frequency - position * PostingsIndex.blockSize)) {
                let document = decodedDocuments[posting]
                if next < champions.count && champions[next].document == document {
                    next += 1
                } else {
                    others.add(tf: decodedFrequencies[posting], length: index.weightedLengths[Int(document)])
                }
            }
        }
        return (champions, others)
    }
}
