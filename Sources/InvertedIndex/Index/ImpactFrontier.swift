/// The (weighted tf, weighted length) pairs no other pair beats on both counts (a higher tf and a shorter
/// length both raise BM25), kept up to date as pairs arrive, so the largest impact of many postings follows
/// for any k1, b and average length from a handful of pairs.
struct ImpactFrontier {
    /// By tf descending; lengths then descend too, or a pair would beat the one after it.
    private(set) var pairs: [(tf: Double, length: Double)] = []

    mutating func add(tf: Double, length: Double) {
        // Pairs before `split` have a higher tf, the shortest of them last.
        var low = 0, high = pairs.count
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle].tf > tf { low = middle + 1 } else { high = middle }
        }
        let split = low
        if split > 0 && pairs[split - 1].length <= length { return }
        if split < pairs.count && pairs[split].tf == tf && pairs[split].length <= length { return }
        // The new pair beats every following pair that is not shorter.
        var end = split
        while end < pairs.count && pairs[end].length >= length { end += 1 }
        pairs.replaceSubrange(split..<end, with: CollectionOfOne((tf: tf, length: length)))
    }

    mutating func removeAll() {
        pairs.removeAll(keepingCapacity: true)
    }

    /// Appends the pairs as Floats rounded outwards (tf up, length down), so the bound they give is never
    /// below a real impact.
    func append(to output: inout [Float]) {
        for pair in pairs {
            var tf = Float(pair.tf)
            if Double(tf) < pair.tf { tf = tf.nextUp }
            var length = Float(pair.length)
            if Double(length) > pair.length { length = length.nextDown }
            output.append(tf)
            output.append(max(0, length))
        }
    }
}
