/// A segment's terms, sorted by their UTF-8 bytes (PostgreSQL's lexeme order) and packed into one byte
/// array, so a lookup is a binary search and `prefix*` is a contiguous range.
struct TermDictionary: Sendable {
    /// Every term's bytes, back to back.
    let bytes: [UInt8]
    /// Term `i` is `bytes[offsets[i]..<offsets[i + 1]]`; `count + 1` entries.
    let offsets: [UInt32]

    var count: Int { offsets.count - 1 }

    init(bytes: [UInt8], offsets: [UInt32]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    init(sortedTerms: [[UInt8]]) {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(sortedTerms.count + 1)
        for term in sortedTerms {
            bytes.append(contentsOf: term)
            offsets.append(UInt32(bytes.count))
        }
        self.bytes = bytes
        self.offsets = offsets
    }

    func term(at ordinal: Int) -> [UInt8] {
        Array(bytes[Int(offsets[ordinal])..<Int(offsets[ordinal + 1])])
    }

    func string(at ordinal: Int) -> String {
        String(decoding: bytes[Int(offsets[ordinal])..<Int(offsets[ordinal + 1])], as: UTF8.self)
    }

    /// The ordinal of `term`, or nil when the segment does not hold it.
    func ordinal(of term: [UInt8]) -> Int? {
        let index = lowerBound(term)
        guard index < count, compare(index, term) == 0 else { return nil }
        return index
    }

    /// The ordinals of every term that starts with `prefix`.
    func range(withPrefix prefix: [UInt8]) -> Range<Int> {
        let start = lowerBound(prefix)
        var low = start, high = count
        // The first term past the prefix range: the first that compares greater and does not start with it.
        while low < high {
            let middle = (low + high) / 2
            if hasPrefix(middle, prefix) { low = middle + 1 } else { high = middle }
        }
        return start..<low
    }

    /// The first ordinal whose term is not less than `term`.
    private func lowerBound(_ term: [UInt8]) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if compare(middle, term) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Byte order of term `ordinal` against `other`: negative, zero or positive.
    private func compare(_ ordinal: Int, _ other: [UInt8]) -> Int {
        let start = Int(offsets[ordinal]), end = Int(offsets[ordinal + 1])
        let length = end - start
        return bytes.withUnsafeBufferPointer { stored in
            other.withUnsafeBufferPointer { probe in
                let shared = min(length, probe.count)
                var index = 0
                while index < shared {
                    let a = stored[start + index], b = probe[index]
                    if a != b { return Int(a) - Int(b) }
                    index += 1
                }
                return length - probe.count
            }
        }
    }

    private func hasPrefix(_ ordinal: Int, _ prefix: [UInt8]) -> Bool {
        let start = Int(offsets[ordinal]), end = Int(offsets[ordinal + 1])
        guard end - start >= prefix.count else { return false }
        for index in prefix.indices where bytes[start + index] != prefix[index] { return false }
        return true
    }
}
