/// The bytes of one packed postings list (`packed_postings.postings`), about 3.5 bytes a posting where
/// the rows take ~250 and a plain (uuid, float8) pair 24; reading a search's packs is then mostly the
/// decoding, not PostgreSQL copying values out of TOAST.
///
/// Documents are numbered by the build (`packed_documents`: ordinals in uuid order), and a list's
/// impacts, which take a few thousand distinct values at most (term frequency by document length), are
/// stored once each. Layout, every integer a LEB128 varint unless noted:
///
///     count, distinct impacts D, D float8 bit patterns (8 bytes, big-endian, ascending),
///     count ordinal gaps (the first ordinal, then differences, all > 0 after the first),
///     count impact indexes (1 byte when D <= 256, else 2 bytes big-endian)
///
/// Impacts are kept bit for bit: scores summed from them equal those of the row-based strategies.
struct PostingsPack: Equatable, Sendable {
    /// Document ordinals, strictly increasing.
    var ordinals: [UInt32]
    var impacts: [Double]

    enum DecodingError: Error, Equatable {
        case truncated
        case malformed(String)
    }

    func encoded() -> [UInt8] {
        let distinct = Array(Set(impacts.map(\.bitPattern))).sorted { Double(bitPattern: $0) < Double(bitPattern: $1) }
        var index: [UInt64: Int] = [:]
        for (position, bits) in distinct.enumerated() { index[bits] = position }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + 8 * distinct.count + 4 * ordinals.count)
        Self.appendVarint(UInt64(ordinals.count), to: &bytes)
        Self.appendVarint(UInt64(distinct.count), to: &bytes)
        for bits in distinct {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
        var previous: UInt32 = 0
        for (position, ordinal) in ordinals.enumerated() {
            Self.appendVarint(UInt64(position == 0 ? ordinal : ordinal - previous), to: &bytes)
            previous = ordinal
        }
        let wide = distinct.count > 256
        for impact in impacts {
            let position = index[impact.bitPattern] ?? 0
            if wide { bytes.append(UInt8(position >> 8)) }
            bytes.append(UInt8(truncatingIfNeeded: position))
        }
        return bytes
    }

    init(ordinals: [UInt32], impacts: [Double]) {
        precondition(ordinals.count == impacts.count, "one impact per ordinal")
        self.ordinals = ordinals
        self.impacts = impacts
    }

    /// Decodes `bytes`.
    init(decoding bytes: [UInt8]) throws(DecodingError) {
        var ordinals: [UInt32] = [], impacts: [Double] = []
        try Self.forEachPosting(in: bytes) { ordinal, impact in
            ordinals.append(ordinal)
            impacts.append(impact)
        }
        self.ordinals = ordinals
        self.impacts = impacts
    }

    /// Calls `body` with each posting's ordinal and impact, in ordinal order, without building arrays (a
    /// search reads a few hundred thousand postings this way). On damage it throws, possibly after some
    /// calls: callers discard what they gathered.
    @inline(__always)
    static func forEachPosting(in bytes: [UInt8], _ body: (UInt32, Double) -> Void) throws(DecodingError) {
        let failure: DecodingError? = bytes.withUnsafeBufferPointer { buffer in
            let end = buffer.count
            var offset = 0
            @inline(__always) func varint(_ offset: inout Int, limit: Int) -> UInt64? {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while offset < limit, shift < 64 {
                    let byte = buffer[offset]
                    offset += 1
                    value |= UInt64(byte & 0x7f) << shift
                    if byte < 0x80 { return value }
                    shift += 7
                }
                return nil
            }
            guard let count = varint(&offset, limit: end).map(Int.init), let distinct = varint(&offset, limit: end).map(Int.init) else {
                return .truncated
            }
            guard count <= end, distinct <= max(count, 1), distinct <= 65_536 else { return .malformed("counts exceed the value") }
            guard offset + 8 * distinct <= end else { return .truncated }
            var dictionary = [Double](repeating: 0, count: distinct)
            for entry in 0..<distinct {
                var bits: UInt64 = 0
                for index in offset..<offset + 8 { bits = bits << 8 | UInt64(buffer[index]) }
                dictionary[entry] = Double(bitPattern: bits)
                offset += 8
            }
            // The impact indexes are the last width * count bytes; the gaps run up to them.
            let width = distinct > 256 ? 2 : 1
            let indexesStart = end - width * count
            guard indexesStart >= offset else { return .truncated }
            var gapOffset = offset
            var indexOffset = indexesStart
            var ordinal: UInt64 = 0
            let failure: DecodingError? = dictionary.withUnsafeBufferPointer { dictionary in
                for position in 0..<count {
                    guard let gap = varint(&gapOffset, limit: indexesStart) else { return .truncated }
                    guard position == 0 || gap > 0 else { return .malformed("ordinals are not increasing") }
                    ordinal += gap
                    guard ordinal <= UInt64(UInt32.max) else { return .malformed("ordinal out of range") }
                    let index = width == 2 ? Int(buffer[indexOffset]) << 8 | Int(buffer[indexOffset + 1]) : Int(buffer[indexOffset])
                    indexOffset += width
                    guard index < distinct else { return .malformed("impact index out of range") }
                    body(UInt32(truncatingIfNeeded: ordinal), dictionary[index])
                }
                return nil
            }
            if let failure { return failure }
            return gapOffset == indexesStart ? nil : .malformed("trailing bytes")
        }
        if let failure { throw failure }
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
