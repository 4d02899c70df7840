public import SearchCore

/// What was wrong with one record of an input file, and where it is.
public struct RecordProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// Everything the HTTP API also refuses (invalid JSON, missing id, NUL, size limits, ...).
        case document(DocumentProblem.Code)
        /// A CSV row whose fields do not line up with the header, or whose quotes are broken.
        case malformedRow
        /// An id that appeared earlier in the same import.
        case duplicateID
    }

    public var file: String
    /// Line in the file, from 1, where the record starts.
    public var line: Int
    public var id: String?
    public var code: Code
    public var reason: String

    public init(file: String, line: Int, id: String? = nil, code: Code, reason: String) {
        self.file = file
        self.line = line
        self.id = id
        self.code = code
        self.reason = reason
    }

    public init(file: String, line: Int, id: String? = nil, _ code: DocumentProblem.Code) {
        self.init(file: file, line: line, id: id, code: .document(code), reason: DocumentProblem.describe(code))
    }

    /// A stable machine-readable name, as the HTTP API spells document problems.
    public var codeName: String {
        switch code {
        case .document(let code): code.rawValue
        case .malformedRow: "malformed_row"
        case .duplicateID: DocumentProblem.Code.duplicateID.rawValue
        }
    }

    public var description: String {
        "\(file):\(line): \(reason)" + (id.map { " (id \($0))" } ?? "")
    }
}

/// One record of an input: a valid document or the reason it is not one.
public struct SourceRecord: Sendable {
    public enum Content: Sendable {
        case document(SourceDocument)
        case problem(RecordProblem)
    }

    public let file: String
    public let line: Int
    public let content: Content
}

/// Turns parsed values into documents with the checks the HTTP API applies (`SourceDocument`,
/// `DocumentLimits`), labelling failures with file and line.
struct RecordValidator {
    let file: String
    let idKeys: [String]
    let limits: DocumentLimits

    /// Parses one JSON text as a document.
    func record(json bytes: some Collection<UInt8>, line: Int) -> SourceRecord {
        guard bytes.count <= limits.maximumDocumentBytes else { return tooLarge(line: line) }
        do {
            return record(value: try JSONParser.parse(bytes, limits: limits.parserLimits), line: line)
        } catch {
            return SourceRecord(file: file, line: line, content: .problem(RecordProblem(
                file: file, line: line, code: .document(DocumentProblem.Code(error)), reason: error.description)))
        }
    }

    func record(value: JSONValue, line: Int) -> SourceRecord {
        let document: SourceDocument
        do {
            document = try SourceDocument(value, idKeys: idKeys)
        } catch {
            return SourceRecord(file: file, line: line, content: .problem(RecordProblem(file: file, line: line, error)))
        }
        guard document.json.utf8.count <= limits.maximumDocumentBytes else {
            return tooLarge(line: line, id: document.id)
        }
        return SourceRecord(file: file, line: line, content: .document(document))
    }

    func tooLarge(line: Int, id: String? = nil) -> SourceRecord {
        SourceRecord(file: file, line: line, content: .problem(RecordProblem(
            file: file, line: line, id: id, code: .document(.documentTooLarge),
            reason: DocumentProblem.describe(.documentTooLarge) + " (\(limits.maximumDocumentBytes) bytes)")))
    }

    func problem(line: Int, _ code: RecordProblem.Code, _ reason: String) -> SourceRecord {
        SourceRecord(file: file, line: line, content: .problem(RecordProblem(file: file, line: line, code: code, reason: reason)))
    }
}
