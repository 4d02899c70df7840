/// Size limits on what a client may write in one request or record.
public struct DocumentLimits: Sendable, Hashable {
    /// Documents in one request.
    public var maximumDocuments: Int
    /// One document's JSON text, in bytes.
    public var maximumDocumentBytes: Int
    /// Any single string value, in UTF-8 bytes.
    public var maximumFieldBytes: Int
    /// Nesting of arrays and objects.
    public var maximumDepth: Int

    public init(maximumDocuments: Int = 10_000, maximumDocumentBytes: Int = 8 << 20, maximumFieldBytes: Int = 4 << 20, maximumDepth: Int = 32) {
        self.maximumDocuments = maximumDocuments
        self.maximumDocumentBytes = maximumDocumentBytes
        self.maximumFieldBytes = maximumFieldBytes
        self.maximumDepth = maximumDepth
    }

    public var parserLimits: JSONParser.Limits {
        JSONParser.Limits(maximumDepth: maximumDepth, maximumStringBytes: maximumFieldBytes)
    }
}

/// Documents read from one request body: the good ones and, separately, what was wrong with the rest.
public struct DocumentBatch: Sendable {
    public enum Format: Sendable {
        /// One JSON array of objects.
        case jsonArray
        /// One object per line.
        case ndjson
    }

    /// Why a whole body was refused (as opposed to single documents in it).
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case malformed(String)
        case tooManyDocuments(limit: Int)
        case empty

        public var description: String {
            switch self {
            case .malformed(let reason): "the body is not a JSON array of documents or NDJSON: \(reason)"
            case .tooManyDocuments(let limit): "at most \(limit) documents per request"
            case .empty: "the body holds no documents"
            }
        }
    }

    public struct Entry: Sendable, Hashable {
        /// Position in the request, from 0.
        public let index: Int
        public let line: Int?
        public let document: SourceDocument
    }

    public private(set) var entries: [Entry] = []
    public private(set) var problems: [DocumentProblem] = []
    /// Documents seen in all, good and bad.
    public private(set) var count = 0

    /// Reads a body; a body starting with `[` is an array, anything else is NDJSON (unless `format` says).
    public static func parse(
        _ body: [UInt8], format: Format? = nil, limits: DocumentLimits = DocumentLimits(),
        idKeys: [String] = SourceDocument.idKeys
    ) throws(Failure) -> DocumentBatch {
        let firstByte = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard firstByte != nil else { throw .empty }
        var batch = DocumentBatch()
        var seen = Set<String>()
        switch format ?? (firstByte == UInt8(ascii: "[") ? .jsonArray : .ndjson) {
        case .jsonArray:
            let elements: [Result<JSONValue, JSONParser.Failure>]
            do {
                elements = try JSONParser.parseArrayElements(body, limits: limits.parserLimits)
            } catch {
                throw .malformed(error.description)
            }
            guard elements.count <= limits.maximumDocuments else { throw .tooManyDocuments(limit: limits.maximumDocuments) }
            for (index, element) in elements.enumerated() {
                batch.add(element, index: index, line: nil, limits: limits, idKeys: idKeys, seen: &seen)
            }
        case .ndjson:
            var lineNumber = 0
            var start = 0
            while start < body.count {
                lineNumber += 1
                let end = body[start...].firstIndex(of: 0x0A) ?? body.count
                let line = body[start..<end]
                start = end + 1
                guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
                guard batch.count < limits.maximumDocuments else { throw .tooManyDocuments(limit: limits.maximumDocuments) }
                let parsed: Result<JSONValue, JSONParser.Failure>
                if line.count > limits.maximumDocumentBytes {
                    batch.problems.append(DocumentProblem(
                        index: batch.count, line: lineNumber, code: .documentTooLarge,
                        reason: DocumentProblem.describe(.documentTooLarge) + " (\(limits.maximumDocumentBytes) bytes)"))
                    batch.count += 1
                    continue
                }
                do {
                    parsed = .success(try JSONParser.parse(line, limits: limits.parserLimits))
                } catch {
                    parsed = .failure(error)
                }
                batch.add(parsed, index: batch.count, line: lineNumber, limits: limits, idKeys: idKeys, seen: &seen)
            }
        }
        guard batch.count > 0 else { throw .empty }
        return batch
    }

    private mutating func add(
        _ parsed: Result<JSONValue, JSONParser.Failure>, index: Int, line: Int?, limits: DocumentLimits,
        idKeys: [String], seen: inout Set<String>
    ) {
        count += 1
        let value: JSONValue
        switch parsed {
        case .failure(let failure):
            problems.append(DocumentProblem(index: index, line: line, code: DocumentProblem.Code(failure), reason: failure.description))
            return
        case .success(let parsedValue):
            value = parsedValue
        }
        let document: SourceDocument
        do {
            document = try SourceDocument(value, idKeys: idKeys)
        } catch {
            problems.append(DocumentProblem(index: index, line: line, code: error, reason: DocumentProblem.describe(error)))
            return
        }
        guard document.json.utf8.count <= limits.maximumDocumentBytes else {
            problems.append(DocumentProblem(
                index: index, line: line, id: document.id, code: .documentTooLarge,
                reason: DocumentProblem.describe(.documentTooLarge) + " (\(limits.maximumDocumentBytes) bytes)"))
            return
        }
        guard seen.insert(document.id).inserted else {
            problems.append(DocumentProblem(index: index, line: line, id: document.id, code: .duplicateID, reason: DocumentProblem.describe(.duplicateID)))
            return
        }
        entries.append(Entry(index: index, line: line, document: document))
    }
}
