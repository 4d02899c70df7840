/// Little-endian primitives of the snapshot format, appended to one growing buffer.
struct SnapshotByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// A count, then the values.
    mutating func append(_ values: [UInt8]) {
        append(UInt64(values.count))
        bytes.append(contentsOf: values)
    }

    mutating func append(_ values: [UInt32]) {
        append(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values { append(value) }
    }

    mutating func append(_ values: [UInt64]) {
        append(UInt64(values.count))
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values { append(value) }
    }

    mutating func append(_ values: [Float]) {
        append(values.map(\.bitPattern))
    }

    mutating func append(_ values: [Double]) {
        append(values.map(\.bitPattern))
    }

    /// Strings as one byte array and `count + 1` offsets into it.
    mutating func append(strings: [String]) {
        var joined: [UInt8] = []
        var offsets: [UInt64] = [0]
        offsets.reserveCapacity(strings.count + 1)
        for string in strings {
            joined.append(contentsOf: string.utf8)
            offsets.append(UInt64(joined.count))
        }
        append(joined)
        append(offsets)
    }

    /// A length-prefixed section written by `body`.
    mutating func appendSection(_ body: (inout SnapshotByteWriter) -> Void) {
        var section = SnapshotByteWriter()
        body(&section)
        append(section.bytes)
    }
}

/// Reads the primitives back from untrusted bytes: every count and length is checked against what is left,
/// so a bad file throws rather than reads out of bounds.
struct SnapshotByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    private mutating func take(_ count: Int, _ what: String) throws(SnapshotError) -> Int {
        guard count >= 0, count <= remaining else { throw .corrupt("\(what) runs past the end of its section") }
        let start = offset
        offset += count
        return start
    }

    private mutating func count(_ what: String, width: Int) throws(SnapshotError) -> Int {
        let raw = try uint64(what)
        guard raw <= UInt64(remaining / width) else { throw .corrupt("\(what) claims more entries than its section holds") }
        return Int(raw)
    }

    mutating func uint32(_ what: String) throws(SnapshotError) -> UInt32 {
        let start = try take(4, what)
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self)) }
    }

    mutating func uint64(_ what: String) throws(SnapshotError) -> UInt64 {
        let start = try take(8, what)
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt64.self)) }
    }

    mutating func byteArray(_ what: String) throws(SnapshotError) -> [UInt8] {
        let count = try count(what, width: 1)
        let start = try take(count, what)
        return Array(bytes[start..<(start + count)])
    }

    mutating func uint32Array(_ what: String) throws(SnapshotError) -> [UInt32] {
        try integers(what)
    }

    mutating func uint64Array(_ what: String) throws(SnapshotError) -> [UInt64] {
        try integers(what)
    }

    private mutating func integers<Value: FixedWidthInteger>(_ what: String) throws(SnapshotError) -> [Value] {
        let width = MemoryLayout<Value>.size
        let count = try count(what, width: width)
        let start = try take(count * width, what)
        return bytes.withUnsafeBytes { raw in
            [Value](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    buffer[index] = Value(littleEndian: raw.loadUnaligned(fromByteOffset: start + index * width, as: Value.self))
                }
                initialized = count
            }
        }
    }

    mutating func floatArray(_ what: String) throws(SnapshotError) -> [Float] {
        try uint32Array(what).map(Float.init(bitPattern:))
    }

    mutating func doubleArray(_ what: String) throws(SnapshotError) -> [Double] {
        try uint64Array(what).map(Double.init(bitPattern:))
    }

    mutating func strings(_ what: String) throws(SnapshotError) -> [String] {
        let joined = try byteArray(what)
        let offsets = try uint64Array(what)
        guard let first = offsets.first, first == 0, offsets.last == UInt64(joined.count) else {
            throw .corrupt("\(what) offsets do not cover their bytes")
        }
        var strings: [String] = []
        strings.reserveCapacity(offsets.count - 1)
        var previous = first
        for offset in offsets.dropFirst() {
            guard offset >= previous, offset <= UInt64(joined.count) else { throw .corrupt("\(what) offsets leave their bytes") }
            guard let string = String(validating: joined[Int(previous)..<Int(offset)], as: UTF8.self) else {
                throw .corrupt("\(what) holds text that is not UTF-8")
            }
            strings.append(string)
            previous = offset
        }
        return strings
    }

    /// The next length-prefixed section, which `body` must read to its end.
    mutating func section<T>(_ what: String, _ body: (inout SnapshotByteReader) throws(SnapshotError) -> T) throws(SnapshotError) -> T {
        let length = try count(what, width: 1)
        let start = try take(length, what)
        var reader = SnapshotByteReader(bytes, from: start, to: start + length)
        let value = try body(&reader)
        guard reader.remaining == 0 else { throw .corrupt("\(what) has \(reader.remaining) unread bytes") }
        return value
    }
}

/// A 64-bit hash of the snapshot payload, eight bytes a step (multiply-rotate lanes in the style of
/// xxHash64, with its final avalanche), so damaged files are told apart from good ones before parsing.
enum SnapshotChecksum {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    static func hash(_ bytes: [UInt8], from start: Int, to end: Int) -> UInt64 {
        var hash = UInt64(truncatingIfNeeded: end - start) &* prime3 ^ 0x2545_F491_4F6C_DD1D
        bytes.withUnsafeBytes { raw in
            var offset = start
            while offset + 8 <= end {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                hash ^= rotate(word &* prime2, 31) &* prime1
                hash = rotate(hash, 27) &* prime1 &+ prime3
                offset += 8
            }
            while offset < end {
                hash ^= UInt64(raw[offset]) &* prime1
                hash = rotate(hash, 11) &* prime2
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash &*= prime2
        hash ^= hash >> 29
        hash &*= prime3
        hash ^= hash >> 32
        return hash
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
