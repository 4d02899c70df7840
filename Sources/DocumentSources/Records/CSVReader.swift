import SearchCore

/// CSV (RFC 4180) with a header row: each row becomes an object of header name to string value. Quoted
/// fields may hold commas, doubled quotes and newlines; a row's line is the line it starts on.
final class CSVReader: RecordReader {
    private var cursor: ByteCursor
    private let validator: RecordValidator
    private var header: [String]?

    init(source: ByteSource, validator: RecordValidator) {
        self.cursor = ByteCursor(source: source)
        self.validator = validator
    }

    var source: ByteSource { cursor.source }
    var format: RecordFormat { .csv }

    private struct Row {
        var fields: [[UInt8]] = []
        var line: Int
        var oversized = false
        var malformed: String?
    }

    func next() throws -> SourceRecord? {
        let names = try headerNames()
        while let row = try readRow() {
            if row.fields.count == 1 && row.fields[0].isEmpty && row.malformed == nil { continue }
            if row.oversized { return validator.tooLarge(line: row.line) }
            if let malformed = row.malformed { return validator.problem(line: row.line, .malformedRow, malformed) }
            guard row.fields.count == names.count else {
                return validator.problem(
                    line: row.line, .malformedRow, "the row has \(row.fields.count) fields; the header has \(names.count)")
            }
            var members: [String: JSONValue] = [:]
            for (name, bytes) in zip(names, row.fields) {
                if bytes.contains(0) { return validator.problem(line: row.line, .document(.nulCharacter), DocumentProblem.describe(.nulCharacter)) }
                guard let value = String(validating: bytes, as: UTF8.self) else {
                    return validator.problem(line: row.line, .document(.invalidUTF8), DocumentProblem.describe(.invalidUTF8))
                }
                guard bytes.count <= validator.limits.maximumFieldBytes else {
                    return validator.problem(
                        line: row.line, .document(.fieldTooLarge),
                        "field \"\(name)\" is longer than \(validator.limits.maximumFieldBytes) bytes")
                }
                members[name] = .string(value)
            }
            return validator.record(value: .object(members), line: row.line)
        }
        return nil
    }

    private func headerNames() throws -> [String] {
        if let header { return header }
        if try cursor.peek() == utf8ByteOrderMark[0] {
            for _ in utf8ByteOrderMark { _ = try cursor.take() }
        }
        guard let row = try readRow(), row.malformed == nil, !row.oversized else {
            throw SourceError(path: path, reason: "line 1: expected a CSV header row")
        }
        var names: [String] = []
        for bytes in row.fields {
            guard let name = String(validating: bytes, as: UTF8.self), !name.isEmpty else {
                throw SourceError(path: path, reason: "line 1: every header field needs a name (UTF-8, not empty)")
            }
            guard !names.contains(name) else {
                throw SourceError(path: path, reason: "line 1: the header names \"\(name)\" twice")
            }
            names.append(name)
        }
        header = names
        return names
    }

    /// One row; nil at the end of the input.
    private func readRow() throws -> Row? {
        guard try cursor.peek() != nil else { return nil }
        var row = Row(line: cursor.line)
        var field: [UInt8] = []
        var size = 0
        let limit = validator.limits.maximumDocumentBytes
        func append(_ byte: UInt8) {
            size += 1
            if size <= limit { field.append(byte) } else { row.oversized = true }
        }
        while true {
            // Start of a field.
            if try cursor.peek() == UInt8(ascii: "\"") {
                _ = try cursor.take()
                var closed = false
                while let byte = try cursor.take() {
                    if byte == UInt8(ascii: "\"") {
                        if try cursor.peek() == UInt8(ascii: "\"") {
                            _ = try cursor.take()
                            append(byte)
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        append(byte)
                    }
                }
                if !closed {
                    row.malformed = "a quoted field is not closed"
                    row.fields.append(field)
                    return row
                }
                // After the closing quote only a separator or the end of the row may follow.
                let after = try cursor.peek()
                if after != nil && after != UInt8(ascii: ",") && after != 0x0A && after != 0x0D {
                    row.malformed = row.malformed ?? "text after a closing quote"
                    while let byte = try cursor.peek(), byte != UInt8(ascii: ","), byte != 0x0A { _ = try cursor.take() }
                }
            } else {
                while let byte = try cursor.peek(), byte != UInt8(ascii: ","), byte != 0x0A {
                    _ = try cursor.take()
                    append(byte)
                }
            }
            switch try cursor.take() {
            case UInt8(ascii: ","):
                row.fields.append(field)
                field = []
            case 0x0D:
                // CRLF ends the row; a lone CR before something else is kept as text.
                if try cursor.peek() == 0x0A { _ = try cursor.take() }
                row.fields.append(field)
                return row
            default:
                // A newline or the end of the input.
                if field.last == 0x0D { field.removeLast() }
                row.fields.append(field)
                return row
            }
        }
    }
}
