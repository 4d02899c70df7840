/// Letter classification and lowercasing of code points above ASCII, as the PostgreSQL server does them
/// (its `iswalpha` and `towlower`), from the generated `PostgresCharacterTables`.
enum PostgresCharacters {
    /// One bit per code point of the Basic Multilingual Plane, so that most lookups are one load.
    private static func basicPlaneBits(_ ranges: [UInt32]) -> [UInt64] {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for index in stride(from: 0, to: ranges.count, by: 2) where ranges[index] < 0x10000 {
            for codePoint in ranges[index]...min(ranges[index + 1], 0xFFFF) {
                bits[Int(codePoint >> 6)] |= 1 << UInt64(codePoint & 63)
            }
        }
        return bits
    }

    private static let basicPlaneLetters = basicPlaneBits(PostgresCharacterTables.letterRanges)
    private static let basicPlaneMarks = basicPlaneBits(PostgresCharacterTables.markRanges)

    private static func contains(_ ranges: [UInt32], _ codePoint: UInt32) -> Bool {
        var low = 0
        var high = ranges.count / 2
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle * 2 + 1] < codePoint {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < ranges.count / 2 && ranges[low * 2] <= codePoint
    }

    private static func lookUp(_ codePoint: UInt32, bits: [UInt64], ranges: [UInt32]) -> Bool {
        if codePoint < 0x10000 {
            return bits.withUnsafeBufferPointer { $0[Int(codePoint >> 6)] & (1 << UInt64(codePoint & 63)) != 0 }
        }
        return contains(ranges, codePoint)
    }

    /// True when the default parser treats `codePoint` (above ASCII) as a letter: it starts and continues words.
    static func isLetter(_ codePoint: UInt32) -> Bool {
        lookUp(codePoint, bits: basicPlaneLetters, ranges: PostgresCharacterTables.letterRanges)
    }

    /// True when `codePoint` (above ASCII) continues a word without being able to start one (a combining mark).
    static func isMark(_ codePoint: UInt32) -> Bool {
        lookUp(codePoint, bits: basicPlaneMarks, ranges: PostgresCharacterTables.markRanges)
    }

    /// The lowercase of `codePoint` (above ASCII), or the code point itself.
    static func lowercase(_ codePoint: UInt32) -> UInt32 {
        let pairs = PostgresCharacterTables.lowercasePairs
        var low = 0
        var high = pairs.count / 2
        while low < high {
            let middle = (low + high) / 2
            if pairs[middle * 2] < codePoint {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < pairs.count / 2 && pairs[low * 2] == codePoint ? pairs[low * 2 + 1] : codePoint
    }

    /// The code point starting at `index` of valid UTF-8, and its length in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (codePoint: UInt32, width: Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 {
            return ((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2)
        }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
        }
        return (
            (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                | UInt32(bytes[index + 3] & 0x3F), 4
        )
    }

    /// Appends `codePoint` to `bytes` as UTF-8.
    @inline(__always)
    static func append(_ codePoint: UInt32, to bytes: inout [UInt8]) {
        switch codePoint {
        case ..<0x80:
            bytes.append(UInt8(codePoint))
        case ..<0x800:
            bytes.append(UInt8(0xC0 | codePoint >> 6))
            bytes.append(UInt8(0x80 | codePoint & 0x3F))
        case ..<0x10000:
            bytes.append(UInt8(0xE0 | codePoint >> 12))
            bytes.append(UInt8(0x80 | codePoint >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | codePoint & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | codePoint >> 18))
            bytes.append(UInt8(0x80 | codePoint >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | codePoint >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | codePoint & 0x3F))
        }
    }

    /// Lowercases UTF-8 `bytes` into `output` (cleared first), as PostgreSQL's dictionaries do.
    static func lowercase(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: bytes)
        let allASCII = output.withUnsafeMutableBufferPointer { letters in
            for index in letters.indices {
                let byte = letters[index]
                if byte >= 0x80 { return false }
                if byte &- 0x41 < 26 { letters[index] = byte | 0x20 }
            }
            return true
        }
        if allASCII { return }
        output.removeAll(keepingCapacity: true)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                output.append(byte &- 0x41 < 26 ? byte | 0x20 : byte)
                index += 1
            } else {
                let (codePoint, width) = decode(bytes, at: index)
                append(lowercase(codePoint), to: &output)
                index += width
            }
        }
    }
}
