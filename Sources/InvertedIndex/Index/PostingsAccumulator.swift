/// Collects postings term by term, already encoded, while a segment is written; `build` sorts the terms
/// and cuts each term's stream into blocks.
struct PostingsAccumulator {
    private var ids: [Lexeme: Int32] = [:]
    private var terms: [Lexeme] = []
    private var streams: [[UInt8]] = []
    private var positionStreams: [[UInt8]] = []
    private var previousDocument: [Int64] = []
    private var frequencies: [UInt32] = []

    var postingCount = 0

    /// Adds one posting; per term, documents must come in increasing order. `positions` ascending.
    mutating func add(_ lexeme: Lexeme, document: UInt32, classCounts: [UInt32], positions: ArraySlice<UInt32>) {
        let id: Int
        if let known = ids[lexeme] {
            id = Int(known)
        } else {
            id = terms.count
            ids[lexeme] = Int32(id)
            terms.append(lexeme)
            streams.append([])
            positionStreams.append([])
            previousDocument.append(-1)
            frequencies.append(0)
        }
        VariableByte.append(UInt32(Int64(document) - previousDocument[id] - 1), to: &streams[id])
        previousDocument[id] = Int64(document)
        frequencies[id] += 1
        postingCount += 1
        Self.appendFrequency(classCounts, to: &streams[id])
        var previous: UInt32 = 0
        for position in positions {
            VariableByte.append(position &- previous, to: &positionStreams[id])
            previous = position
        }
    }

    static func appendFrequency(_ counts: [UInt32], to bytes: inout [UInt8]) {
        var mask: UInt32 = 0
        for weightClass in 0..<4 where counts[weightClass] > 0 { mask |= 1 << weightClass }
        if mask.nonzeroBitCount == 1 {
            let weightClass = UInt32(mask.trailingZeroBitCount)
            VariableByte.append(counts[Int(weightClass)] << 3 | weightClass << 1, to: &bytes)
        } else {
            VariableByte.append(mask << 1 | 1, to: &bytes)
            for weightClass in 0..<4 where counts[weightClass] > 0 { VariableByte.append(counts[weightClass], to: &bytes) }
        }
    }

    /// The finished index; `classLengths` holds four entries per document of the segment.
    func build(classLengths: [UInt32], classWeights: [Double]) -> PostingsIndex {
        let order = terms.indices.sorted { terms[$0] < terms[$1] }
        let dictionary = TermDictionary(sortedTerms: order.map { Array(terms[$0].text.utf8) })
        let weightedLengths = PostingsIndex.weightedLengths(classLengths, weights: classWeights)
        var termFirstBlock: [UInt32] = []
        var termFrequency: [UInt32] = []
        termFirstBlock.reserveCapacity(order.count)
        termFrequency.reserveCapacity(order.count)
        var postings: [UInt8] = []
        var positions: [UInt8] = []
        postings.reserveCapacity(streams.reduce(0) { $0 + $1.count })
        positions.reserveCapacity(positionStreams.reduce(0) { $0 + $1.count })
        var blockLastDocument: [UInt32] = []
        var blockPostingsOffset: [UInt64] = []
        var blockPositionsOffset: [UInt64] = []
        var blockImpactStart: [UInt32] = []
        var impactPairs: [Float] = []
        var frontier = ImpactFrontier()

        for id in order {
            termFirstBlock.append(UInt32(blockLastDocument.count))
            termFrequency.append(frequencies[id])
            let postingsBase = postings.count
            let positionsBase = positions.count
            postings.append(contentsOf: streams[id])
            positions.append(contentsOf: positionStreams[id])
            // One pass over the term's postings finds the block starts and frontiers.
            streams[id].withUnsafeBufferPointer { stream in
                positionStreams[id].withUnsafeBufferPointer { positionStream in
                    var offset = 0, positionOffset = 0
                    var document = -1
                    let count = Int(frequencies[id])
                    for posting in 0..<count {
                        if posting % PostingsIndex.blockSize == 0 {
                            blockPostingsOffset.append(UInt64(postingsBase + offset))
                            blockPositionsOffset.append(UInt64(positionsBase + positionOffset))
                            blockImpactStart.append(UInt32(impactPairs.count / 2))
                            frontier.removeAll()
                        }
                        document += 1 + Int(VariableByte.read(stream, &offset))
                        let counts = PostingsCursor.readClassFrequencies(stream, &offset)
                        var weighted = 0.0
                        for weightClass in 0..<4 { weighted += Double(counts[weightClass]) * classWeights[weightClass] }
                        frontier.add(tf: weighted, length: weightedLengths[document])
                        for _ in 0..<counts.reduce(0, +) { _ = VariableByte.read(positionStream, &positionOffset) }
                        if posting % PostingsIndex.blockSize == PostingsIndex.blockSize - 1 || posting == count - 1 {
                            blockLastDocument.append(UInt32(document))
                            frontier.append(to: &impactPairs)
                        }
                    }
                }
            }
        }
        blockImpactStart.append(UInt32(impactPairs.count / 2))
        return PostingsIndex(
            dictionary: dictionary, termFirstBlock: termFirstBlock, termFrequency: termFrequency, postings: postings,
            positions: positions, blockLastDocument: blockLastDocument, blockPostingsOffset: blockPostingsOffset,
            blockPositionsOffset: blockPositionsOffset, blockImpactStart: blockImpactStart, impactPairs: impactPairs,
            classLengths: classLengths, classWeights: classWeights)
    }
}
