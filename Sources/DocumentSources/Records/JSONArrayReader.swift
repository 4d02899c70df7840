import SearchCore

/// A JSON array of documents, read element by element: each element's bytes are delimited by a scan that
/// follows strings and nesting, then parsed on their own, so memory holds one element at a time and a
/// bad element is reported without losing the others.
final class JSONArrayReader: RecordReader {
    private var cursor: ByteCursor
    private let validator: RecordValidator
    private enum State { case start, inside, finished }
    private var state = State.start

    init(source: ByteSource, validator: RecordValidator) {
        self.cursor = ByteCursor(source: source)
        self.validator = validator
    }

    var source: ByteSource { cursor.source }
    var format: RecordFormat { .jsonArray }

    func next() throws -> SourceRecord? {
        switch state {
        case .finished:
            return nil
        case .start:
            try skipByteOrderMark()
            try cursor.skipWhitespace()
            guard try cursor.take() == UInt8(ascii: "[") else {
                throw SourceError(path: path, reason: "line \(cursor.line): expected a JSON array ('[')")
            }
            try cursor.skipWhitespace()
            if try cursor.peek() == UInt8(ascii: "]") {
                _ = try cursor.take()
                try finish()
                return nil
            }
            state = .inside
        case .inside:
            break
        }
        try cursor.skipWhitespace()
        let line = cursor.line
        let (bytes, oversized) = try element()
        // The element ends at a ',' or ']' outside any string or nesting.
        switch try cursor.take() {
        case UInt8(ascii: ","): break
        case UInt8(ascii: "]"): try finish()
        default: throw SourceError(path: path, reason: "line \(cursor.line): the JSON array is not closed")
        }
        if oversized { return validator.tooLarge(line: line) }
        if bytes.isEmpty { return validator.problem(line: line, .document(.invalidJSON), "an empty array element") }
        return validator.record(json: bytes, line: line)
    }

    /// The bytes up to the next top-level ',' or ']' (not taken). Past the size limit, bytes are dropped.
    private func element() throws -> (bytes: [UInt8], oversized: Bool) {
        var bytes: [UInt8] = []
        var oversized = false
        var depth = 0
        var inString = false
        var escaped = false
        let limit = validator.limits.maximumDocumentBytes
        while let byte = try cursor.peek() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return (bytes, oversized) }
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == 0 { return (bytes, oversized) }
                default: break
                }
            }
            _ = try cursor.take()
            if bytes.count < limit {
                bytes.append(byte)
            } else {
                oversized = true
            }
        }
        return (bytes, oversized)
    }

    private func finish() throws {
        state = .finished
        try cursor.skipWhitespace()
        if try cursor.peek() != nil {
            throw SourceError(path: path, reason: "line \(cursor.line): unexpected text after the JSON array")
        }
    }

    private func skipByteOrderMark() throws {
        guard try cursor.peek() == utf8ByteOrderMark[0] else { return }
        for expected in utf8ByteOrderMark {
            guard try cursor.take() == expected else {
                throw SourceError(path: path, reason: "line 1: expected a JSON array ('[')")
            }
        }
    }
}
