import DocumentSources
import Foundation
import SearchCore
import Testing

@Suite struct RecordReaderTests {
    /// Writes `text` (or bytes) to a temporary file with the given suffix, gzip-compressed when asked.
    static func file(_ bytes: [UInt8], suffix: String, gzip: Bool = false) throws -> String {
        let path = NSTemporaryDirectory() + "records-\(UUID().uuidString)" + suffix
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        guard gzip else { return path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
        return path + ".gz"
    }

    static func file(_ text: String, suffix: String, gzip: Bool = false) throws -> String {
        try file(Array(text.utf8), suffix: suffix, gzip: gzip)
    }

    struct Read {
        var documents: [(id: String, line: Int, body: JSONValue)] = []
        var problems: [RecordProblem] = []
        var format: RecordFormat?
    }

    static func read(_ path: String, format: RecordFormat? = nil, limits: DocumentLimits = DocumentLimits(), idKeys: [String] = SourceDocument.idKeys) throws -> Read {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try RecordReaders.open(path, format: format, idKeys: idKeys, limits: limits)
        var result = Read(format: reader.format)
        while let record = try reader.next() {
            switch record.content {
            case .document(let document): result.documents.append((document.id, record.line, document.body))
            case .problem(let problem): result.problems.append(problem)
            }
        }
        return result
    }

    @Test func jsonLinesPlainAndGzipWithBlankLinesAndAByteOrderMark() throws {
        let text = "\u{FEFF}{\"id\":\"a\",\"title\":\"one\"}\n\n  \n{\"_id\":7,\"title\":\"two\"}\r\n{\"id\":\"c\"}"
        for gzip in [false, true] {
            let read = try Self.read(try Self.file(text, suffix: ".jsonl", gzip: gzip))
            #expect(read.format == .jsonLines)
            #expect(read.documents.map(\.id) == ["a", "7", "c"])
            #expect(read.documents.map(\.line) == [1, 4, 5])
            #expect(read.problems.isEmpty)
        }
    }

    @Test func aJSONArrayIsReadElementByElementWithLines() throws {
        let text = """
            [
              {"id": "a", "tags": ["x", "y,z"], "nested": {"q": "a \\"quoted\\" ] brace"}},
              {"id": "b",
               "title": "two lines"},
              42,
              {"id": "c", "title": }
            , {"id": "d"}]
            """
        let read = try Self.read(try Self.file(text, suffix: ".json", gzip: true))
        #expect(read.format == .jsonArray)
        #expect(read.documents.map(\.id) == ["a", "b", "d"])
        #expect(read.documents.map(\.line) == [2, 3, 7])
        #expect(read.documents[0].body["nested"]?["q"]?.stringValue == "a \"quoted\" ] brace")
        #expect(read.problems.map(\.codeName) == ["not_an_object", "invalid_json"])
        #expect(read.problems.map(\.line) == [5, 6])
    }

    @Test func anUnclosedArrayOrTrailingTextIsAnErrorOfTheWholeInput() throws {
        #expect(throws: SourceError.self) { try Self.read(try Self.file("[{\"id\":\"a\"}, {\"id\":\"b\"}", suffix: ".json")) }
        #expect(throws: SourceError.self) { try Self.read(try Self.file("[{\"id\":\"a\"}] trailing", suffix: ".json")) }
        #expect(try Self.read(try Self.file(" [ ] ", suffix: ".json")).documents.isEmpty)
    }

    @Test func csvWithQuotesEmbeddedNewlinesAndCRLF() throws {
        let text = "id,title,body\r\n1,Plain,simple\r\n2,\"Comma, inside\",\"He said \"\"hi\"\"\"\r\n3,\"Two\nlines\",x\r\n\r\n4,short\r\n5,\"open\",x,extra\r\n6,tail,\"\"\r\n"
        let read = try Self.read(try Self.file(text, suffix: ".csv", gzip: true))
        #expect(read.format == .csv)
        #expect(read.documents.map(\.id) == ["1", "2", "3", "6"])
        #expect(read.documents.map(\.line) == [2, 3, 4, 9])
        #expect(read.documents[1].body["title"]?.stringValue == "Comma, inside")
        #expect(read.documents[1].body["body"]?.stringValue == "He said \"hi\"")
        #expect(read.documents[2].body["title"]?.stringValue == "Two\nlines")
        #expect(read.documents[3].body["body"]?.stringValue == "")
        #expect(read.problems.map(\.codeName) == ["malformed_row", "malformed_row"])
        #expect(read.problems.map(\.line) == [7, 8])
        #expect(read.problems[0].reason.contains("2 fields; the header has 3"))
    }

    @Test func csvBadHeaderAndUnclosedQuote() throws {
        #expect(throws: SourceError.self) { try Self.read(try Self.file("id,id\n1,2\n", suffix: ".csv")) }
        let read = try Self.read(try Self.file("id,title\n1,\"never closed\n2,x\n", suffix: ".csv"))
        #expect(read.documents.isEmpty)
        #expect(read.problems.map(\.codeName) == ["malformed_row"])
    }

    @Test func everyBadRecordClassIsReportedWithFileLineAndReason() throws {
        var bytes = Array("""
            {"id":"ok","title":"fine"}
            {"id":"broken",
            {"title":"no id"}
            {"id":"nul","title":"a\\u0000b"}
            {"id":"big","title":"\(String(repeating: "x", count: 300))"}
            {"id":["not","a","string"]}
            [1,2]

            """.utf8)
        bytes += Array("{\"id\":\"utf8\",\"title\":\"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
        let path = try Self.file(bytes, suffix: ".ndjson")
        let read = try Self.read(path, limits: DocumentLimits(maximumDocumentBytes: 10_000, maximumFieldBytes: 200))
        #expect(read.documents.map(\.id) == ["ok"])
        #expect(read.problems.map(\.codeName) == [
            "invalid_json", "missing_id", "nul_character", "field_too_large", "invalid_id", "not_an_object", "invalid_utf8",
        ])
        #expect(read.problems.map(\.line) == [2, 3, 4, 5, 6, 7, 8])
        #expect(read.problems.allSatisfy { $0.file == path && !$0.reason.isEmpty })
        #expect(read.problems[0].description.hasPrefix("\(path):2: "))
    }

    @Test func documentsOverTheSizeLimitAreSkippedNotLoaded() throws {
        let big = "{\"id\":\"big\",\"t\":\"\(String(repeating: "y", count: 5_000))\"}"
        let limits = DocumentLimits(maximumDocumentBytes: 1_000, maximumFieldBytes: 900)
        let lines = try Self.read(try Self.file("\(big)\n{\"id\":\"small\"}\n", suffix: ".jsonl"), limits: limits)
        #expect(lines.documents.map(\.id) == ["small"])
        #expect(lines.problems.map(\.codeName) == ["document_too_large"])
        let array = try Self.read(try Self.file("[\(big), {\"id\":\"small\"}]", suffix: ".json"), limits: limits)
        #expect(array.documents.map(\.id) == ["small"])
        #expect(array.problems.map(\.codeName) == ["document_too_large"])
    }

    @Test func theIDFieldCanBeNamed() throws {
        let read = try Self.read(try Self.file("{\"sku\":\"x1\",\"id\":\"ignored\"}\n{\"id\":\"only\"}\n", suffix: ".jsonl"), idKeys: ["sku"])
        #expect(read.documents.map(\.id) == ["x1"])
        #expect(read.problems.map(\.codeName) == ["missing_id"])
    }

    @Test func formatIsSniffedFromContentUnlessNamed() throws {
        #expect(try Self.read(try Self.file("  [{\"id\":\"a\"}]", suffix: ".txt")).format == .jsonArray)
        #expect(try Self.read(try Self.file("{\"id\":\"a\"}\n", suffix: ".json")).format == .jsonLines)
        #expect(try Self.read(try Self.file("id\na\n", suffix: ".data"), format: .csv).documents.map(\.id) == ["a"])
    }
}
