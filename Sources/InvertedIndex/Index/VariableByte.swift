/// LEB128-style variable-byte integers: seven bits per byte, low bits first, the high bit set on every byte
/// but the last. Small numbers (document gaps in dense lists, term frequencies, position gaps) take one byte.
enum VariableByte {
    @inline(__always)
    static func append(_ value: UInt32, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Reads one number at `offset` and moves past it. The caller guarantees the bytes are well formed (the
    /// index was built here or validated on load), so only the buffer bounds are checked.
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) -> UInt32 {
        var byte = bytes[offset]
        offset += 1
        if byte < 0x80 { return UInt32(byte) }
        var value = UInt32(byte & 0x7F)
        var shift: UInt32 = 7
        repeat {
            byte = bytes[offset]
            offset += 1
            value |= UInt32(byte & 0x7F) << shift
            shift += 7
        } while byte >= 0x80 && shift < 35
        return value
    }

    /// Reads one number from untrusted bytes: nil when it runs past `end` or does not fit 32 bits.
    static func readChecked(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int, end: Int) -> UInt32? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value <= UInt64(UInt32.max) ? UInt32(value) : nil }
            shift += 7
            if shift >= 35 { return nil }
        }
        return nil
    }
}
