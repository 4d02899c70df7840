public import SearchCore

/// The layouts `loupe import` reads.
public enum RecordFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// One JSON object per line (JSONL / NDJSON).
    case jsonLines = "jsonl"
    /// One JSON array of objects, read element by element.
    case jsonArray = "json"
    /// Comma-separated values with a header row; every value is a string.
    case csv

    public var description: String { rawValue }

    /// `.csv` (optionally `.gz`) names CSV; anything else is decided by the first byte of the content.
    static func fromName(_ path: String) -> RecordFormat? {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        return name.hasSuffix(".csv") ? .csv : nil
    }
}

/// Records of one input, in order, with how far through the input the reader is.
public protocol RecordReader: AnyObject {
    /// The bytes being read.
    var source: ByteSource { get }
    var format: RecordFormat { get }
    /// The next record; nil at the end. Throws only when the input as a whole cannot be read further.
    func next() throws -> SourceRecord?
}

extension RecordReader {
    public var path: String { source.path }
    /// On-disk bytes consumed (compressed bytes for `.gz`).
    public var bytesRead: Int { source.bytesRead }
    /// Decompressed bytes consumed.
    public var bytesDecoded: Int { source.bytesDecoded }
    /// On-disk size, when known (not for standard input).
    public var totalBytes: Int? { source.totalBytes }
}

public enum RecordReaders {
    /// Opens `path` (`-` is standard input). The format is `format`, else CSV for `*.csv[.gz]`, else a JSON
    /// array when the content starts with `[`, else JSON lines.
    public static func open(
        _ path: String, format: RecordFormat? = nil, idKeys: [String] = SourceDocument.idKeys,
        limits: DocumentLimits = DocumentLimits()
    ) throws -> any RecordReader {
        let source = try ByteSource(path: path)
        let validator = RecordValidator(file: path, idKeys: idKeys, limits: limits)
        let chosen = try format ?? RecordFormat.fromName(path) ?? sniff(source)
        switch chosen {
        case .jsonLines: return JSONLinesReader(source: source, validator: validator)
        case .jsonArray: return JSONArrayReader(source: source, validator: validator)
        case .csv: return CSVReader(source: source, validator: validator)
        }
    }

    private static func sniff(_ source: ByteSource) throws -> RecordFormat {
        var taken: [UInt8] = []
        defer { source.pushBack(taken) }
        while let chunk = try source.next() {
            taken.append(contentsOf: chunk)
            var bytes = taken[...]
            if bytes.starts(with: utf8ByteOrderMark) { bytes = bytes.dropFirst(3) }
            if let first = bytes.first(where: { !isJSONWhitespace($0) }) {
                return first == UInt8(ascii: "[") ? .jsonArray : .jsonLines
            }
        }
        return .jsonLines
    }
}

let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
}

/// JSON lines: every non-blank line is one document.
final class JSONLinesReader: RecordReader {
    private let lines: LineReader
    private let validator: RecordValidator
    private var atStart = true

    init(source: ByteSource, validator: RecordValidator) {
        self.lines = LineReader(source: source, maximumLineBytes: validator.limits.maximumDocumentBytes)
        self.validator = validator
    }

    var source: ByteSource { lines.source }
    var format: RecordFormat { .jsonLines }

    func next() throws -> SourceRecord? {
        while let line = try lines.next() {
            switch line {
            case .tooLong:
                return validator.tooLarge(line: lines.lineNumber)
            case .text(var bytes):
                if atStart {
                    atStart = false
                    if bytes.starts(with: utf8ByteOrderMark) { bytes = bytes.dropFirst(3) }
                }
                guard bytes.contains(where: { !isJSONWhitespace($0) }) else { continue }
                return validator.record(json: bytes, line: lines.lineNumber)
            }
        }
        return nil
    }
}
