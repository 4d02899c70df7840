/// Byte-at-a-time reading over a `ByteSource`'s chunks, counting lines, for the formats whose records
/// are not lines (JSON arrays, CSV with quoted newlines).
struct ByteCursor {
    let source: ByteSource
    private var chunk: [UInt8] = []
    private var index = 0
    /// The line of the next byte, from 1.
    private(set) var line = 1

    init(source: ByteSource) {
        self.source = source
    }

    /// The next byte without taking it; nil at the end of the input.
    mutating func peek() throws -> UInt8? {
        if index < chunk.count { return chunk[index] }
        while let next = try source.next() {
            chunk = next
            index = 0
            if !chunk.isEmpty { return chunk[0] }
        }
        return nil
    }

    /// Takes the next byte; nil at the end of the input.
    mutating func take() throws -> UInt8? {
        guard let byte = try peek() else { return nil }
        index += 1
        if byte == 0x0A { line += 1 }
        return byte
    }

    /// Skips JSON whitespace (and a byte-order mark when `atStart`).
    mutating func skipWhitespace() throws {
        while let byte = try peek(), isJSONWhitespace(byte) { _ = try take() }
    }
}
