/// One inverted index of a segment: its terms, their postings and positions, and each document's length.
/// A segment has two: the analysed text (`search_vector`) and the stop words (`stop_vector`).
///
/// Encoding (all little arrays, no per-term objects):
/// - postings: per term, one byte stream of postings in document order. A posting is the gap to the
///   previous document minus one (variable-byte), then its frequency: `tf << 3 | class << 1` when every
///   occurrence is in one weight class, else `mask << 1 | 1` followed by one count per class in the mask.
/// - positions: per posting, its positions as variable-byte gaps (the count is the posting's total tf).
/// - blocks: every 128 postings of a term start a block with its last document, the byte offsets of its
///   postings and positions, and its impact frontier: the (weighted tf, weighted length) pairs no other
///   posting of the block beats on both, so a BM25 upper bound for the block follows for any k1, b and
///   average length (block-max pruning).
final class PostingsIndex: Sendable {
    static let blockSize = 128

    let dictionary: TermDictionary
    /// Per term: its first block.
    let termFirstBlock: [UInt32]
    /// Per term: how many documents of the segment (live or not) hold it.
    let termFrequency: [UInt32]
    let postings: [UInt8]
    let positions: [UInt8]
    let blockLastDocument: [UInt32]
    let blockPostingsOffset: [UInt64]
    let blockPositionsOffset: [UInt64]
    /// Block `b`'s frontier is `impactPairs[2 * blockImpactStart[b] ..< 2 * blockImpactStart[b + 1]]`,
    /// (weighted tf rounded up, weighted length rounded down) pairs; `blocks + 1` entries.
    let blockImpactStart: [UInt32]
    let impactPairs: [Float]
    /// Positions per weight class (A-D) of each document: four entries per document.
    let classLengths: [UInt32]
    /// Each document's length with the class weights this index was built with.
    let weightedLengths: [Double]
    let classWeights: [Double]

    var documentCount: Int { classLengths.count / 4 }
    var termCount: Int { dictionary.count }

    init(
        dictionary: TermDictionary, termFirstBlock: [UInt32], termFrequency: [UInt32], postings: [UInt8], positions: [UInt8],
        blockLastDocument: [UInt32], blockPostingsOffset: [UInt64], blockPositionsOffset: [UInt64],
        blockImpactStart: [UInt32], impactPairs: [Float], classLengths: [UInt32], classWeights: [Double]
    ) {
        self.dictionary = dictionary
        self.termFirstBlock = termFirstBlock
        self.termFrequency = termFrequency
        self.postings = postings
        self.positions = positions
        self.blockLastDocument = blockLastDocument
        self.blockPostingsOffset = blockPostingsOffset
        self.blockPositionsOffset = blockPositionsOffset
        self.blockImpactStart = blockImpactStart
        self.impactPairs = impactPairs
        self.classLengths = classLengths
        self.classWeights = classWeights
        self.weightedLengths = Self.weightedLengths(classLengths, weights: classWeights)
    }

    /// PostgreSQL's order: w1*l1 + w2*l2 + w3*l3 + w4*l4.
    static func weightedLengths(_ classLengths: [UInt32], weights: [Double]) -> [Double] {
        let count = classLengths.count / 4
        return (0..<count).map { document in
            let base = document * 4
            return weights[0] * Double(classLengths[base]) + weights[1] * Double(classLengths[base + 1])
                + weights[2] * Double(classLengths[base + 2]) + weights[3] * Double(classLengths[base + 3])
        }
    }

    func blocks(ofTerm ordinal: Int) -> Range<Int> {
        let first = Int(termFirstBlock[ordinal])
        let count = (Int(termFrequency[ordinal]) + Self.blockSize - 1) / Self.blockSize
        return first..<(first + count)
    }

    /// The largest BM25 impact any posting of `block` can have.
    @inline(__always)
    func blockBound(_ block: Int, _ scoring: Bm25Scoring) -> Double {
        scoring.bound(impactPairs, pairs: Int(blockImpactStart[block])..<Int(blockImpactStart[block + 1]))
    }

    /// The largest BM25 impact any posting of the term can have.
    func termBound(_ ordinal: Int, _ scoring: Bm25Scoring) -> Double {
        var best = 0.0
        for block in blocks(ofTerm: ordinal) { best = max(best, blockBound(block, scoring)) }
        return best
    }

    /// Occurrences per weight class of `ordinal` in `document`, or nil when it does not hold the term.
    func classFrequencies(ofTerm ordinal: Int, in document: UInt32) -> [Int]? {
        let cursor = PostingsCursor(index: self, term: ordinal)
        cursor.advance(to: document)
        guard cursor.document == document else { return nil }
        return cursor.currentClassFrequencies()
    }
}

/// BM25's term-frequency part as PostgreSQL's `document_postings` computes it.
struct Bm25Scoring: Sendable {
    let k1: Double
    let b: Double
    let averageLength: Double

    init(k1: Double, b: Double, averageLength: Double) {
        self.k1 = k1
        self.b = b
        self.averageLength = max(averageLength, 1e-9)
    }

    @inline(__always)
    func impact(weightedFrequency tf: Double, weightedLength length: Double) -> Double {
        tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / averageLength))
    }

    /// The largest impact of the (weighted tf, weighted length) pairs `frontier[2 * i], frontier[2 * i + 1]`
    /// for i in `pairs`: an impact frontier's bound.
    @inline(__always)
    func bound(_ frontier: [Float], pairs: Range<Int>) -> Double {
        var best = 0.0
        var index = pairs.lowerBound * 2
        while index < pairs.upperBound * 2 {
            let impact = impact(weightedFrequency: Double(frontier[index]), weightedLength: Double(frontier[index + 1]))
            if impact > best { best = impact }
            index += 2
        }
        return best
    }
}

/// Walks one term's postings in document order, a block at a time.
///
/// A cursor belongs to one search on one thread and its methods never overlap their own accesses, so its
/// state opts out of runtime exclusivity checks, which took about as long as the decoding itself.
final class PostingsCursor {
    static let exhausted = UInt32.max

    let index: PostingsIndex
    let term: Int
    private let blockRange: Range<Int>
    private let frequency: Int
    /// The block decoded into the buffers below (or about to be).
    @exclusivity(unchecked) private(set) var block: Int
    @exclusivity(unchecked) private var documents = [UInt32](repeating: 0, count: PostingsIndex.blockSize)
    @exclusivity(unchecked) private var weightedFrequencies = [Double](repeating: 0, count: PostingsIndex.blockSize)
    @exclusivity(unchecked) private var totals = [UInt32](repeating: 0, count: PostingsIndex.blockSize)
    @exclusivity(unchecked) private var frequencyOffsets = [Int](repeating: 0, count: PostingsIndex.blockSize)
    @exclusivity(unchecked) private var countInBlock = 0
    @exclusivity(unchecked) private var slot = 0
    /// Positions of the postings before `positionsSlot` in the block have been skipped.
    @exclusivity(unchecked) private var positionsSlot = 0
    @exclusivity(unchecked) private var positionsOffset = 0
    private let weights: (Double, Double, Double, Double)

    @exclusivity(unchecked) private(set) var document: UInt32 = 0

    init(index: PostingsIndex, term: Int) {
        self.index = index
        self.term = term
        blockRange = index.blocks(ofTerm: term)
        frequency = Int(index.termFrequency[term])
        let w = index.classWeights
        weights = (w[0], w[1], w[2], w[3])
        block = blockRange.lowerBound
        if blockRange.isEmpty {
            document = Self.exhausted
        } else {
            decode(block)
            document = documents[0]
        }
    }

    var isExhausted: Bool { document == Self.exhausted }
    var documentFrequency: Int { frequency }

    /// The current posting's term frequency with the class weights.
    var weightedFrequency: Double { weightedFrequencies[slot] }

    func next() {
        guard document != Self.exhausted else { return }
        slot += 1
        if slot < countInBlock {
            document = documents[slot]
            return
        }
        block += 1
        guard block < blockRange.upperBound else {
            document = Self.exhausted
            return
        }
        decode(block)
        document = documents[0]
    }

    /// Moves to the first posting at or after `target`.
    func advance(to target: UInt32) {
        guard document < target else { return }
        if index.blockLastDocument[block] < target {
            var candidate = block + 1
            while candidate < blockRange.upperBound, index.blockLastDocument[candidate] < target { candidate += 1 }
            guard candidate < blockRange.upperBound else {
                block = blockRange.upperBound - 1
                document = Self.exhausted
                return
            }
            block = candidate
            decode(block)
        }
        while slot < countInBlock, documents[slot] < target { slot += 1 }
        document = slot < countInBlock ? documents[slot] : Self.exhausted
    }

    /// Moves to the first posting of `block` (one of the term's blocks), backwards or forwards.
    func seek(toBlock block: Int) {
        self.block = block
        decode(block)
        document = documents[0]
    }

    /// Moves the block pointer (without decoding) to the block that would hold `target`; false when no
    /// block does. For upper bounds only: `document` is unchanged until `advance(to:)`.
    func shallowBlock(for target: UInt32) -> Int? {
        var candidate = block
        while candidate < blockRange.upperBound, index.blockLastDocument[candidate] < target { candidate += 1 }
        return candidate < blockRange.upperBound ? candidate : nil
    }

    func lastDocument(ofBlock block: Int) -> UInt32 { index.blockLastDocument[block] }

    /// The current posting's positions, ascending.
    func currentPositions(into output: inout [UInt32]) {
        output.removeAll(keepingCapacity: true)
        guard document != Self.exhausted else { return }
        index.positions.withUnsafeBufferPointer { bytes in
            while positionsSlot < slot {
                for _ in 0..<totals[positionsSlot] { _ = VariableByte.read(bytes, &positionsOffset) }
                positionsSlot += 1
            }
            var position: UInt32 = 0
            var readOffset = positionsOffset
            for _ in 0..<totals[slot] {
                position &+= VariableByte.read(bytes, &readOffset)
                output.append(position)
            }
        }
    }

    func currentClassFrequencies() -> [Int] {
        var offset = frequencyOffsets[slot]
        return index.postings.withUnsafeBufferPointer { bytes in
            Self.readClassFrequencies(bytes, &offset)
        }
    }

    static func readClassFrequencies(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> [Int] {
        var counts = [0, 0, 0, 0]
        let head = VariableByte.read(bytes, &offset)
        if head & 1 == 0 {
            counts[Int((head >> 1) & 3)] = Int(head >> 3)
        } else {
            let mask = head >> 1
            for weightClass in 0..<4 where mask & (1 << weightClass) != 0 {
                counts[weightClass] = Int(VariableByte.read(bytes, &offset))
            }
        }
        return counts
    }

    private func decode(_ block: Int) {
        let first = block == blockRange.lowerBound
        var previous: Int = first ? -1 : Int(index.blockLastDocument[block - 1])
        countInBlock = min(PostingsIndex.blockSize, frequency - (block - blockRange.lowerBound) * PostingsIndex.blockSize)
        var offset = Int(index.blockPostingsOffset[block])
        let (w0, w1, w2, w3) = weights
        index.postings.withUnsafeBufferPointer { bytes in
            for slot in 0..<countInBlock {
                previous += 1 + Int(VariableByte.read(bytes, &offset))
                documents[slot] = UInt32(previous)
                frequencyOffsets[slot] = offset
                let head = VariableByte.read(bytes, &offset)
                if head & 1 == 0 {
                    let count = head >> 3
                    totals[slot] = count
                    let weight: Double
                    switch (head >> 1) & 3 {
                    case 0: weight = w0
                    case 1: weight = w1
                    case 2: weight = w2
                    default: weight = w3
                    }
                    weightedFrequencies[slot] = Double(count) * weight
                } else {
                    let mask = head >> 1
                    var total: UInt32 = 0
                    var weighted = 0.0
                    if mask & 1 != 0 { let c = VariableByte.read(bytes, &offset); total += c; weighted += Double(c) * w0 }
                    if mask & 2 != 0 { let c = VariableByte.read(bytes, &offset); total += c; weighted += Double(c) * w1 }
                    if mask & 4 != 0 { let c = VariableByte.read(bytes, &offset); total += c; weighted += Double(c) * w2 }
                    if mask & 8 != 0 { let c = VariableByte.read(bytes, &offset); total += c; weighted += Double(c) * w3 }
                    totals[slot] = total
                    weightedFrequencies[slot] = weighted
                }
            }
        }
        slot = 0
        positionsSlot = 0
        positionsOffset = Int(index.blockPositionsOffset[block])
    }
}
