import DocumentSources
import Foundation
import Testing

@Suite struct ByteSourceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let scifact = root.appendingPathComponent("corpus/scifact/corpus.jsonl.gz").path

    func lines(of path: String) throws -> [String] {
        let reader = LineReader(source: try ByteSource(path: path))
        var lines: [String] = []
        while let line = try reader.next() {
            if case .text(let bytes) = line { lines.append(String(decoding: bytes, as: UTF8.self)) }
        }
        return lines
    }

    @Test func readsAGzipFileLineByLine() throws {
        let lines = try lines(of: Self.scifact)
        #expect(lines.count == 5_183)
        #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") })
    }

    @Test func plainFilesAndCRLFLineEnds() throws {
        let path = NSTemporaryDirectory() + "lines-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("one\r\ntwo\n\nthree".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try lines(of: path) == ["one", "two", "", "three"])
    }

    @Test func aTruncatedGzipFileIsAnErrorNotAShortRead() throws {
        let path = NSTemporaryDirectory() + "truncated-\(UUID().uuidString).jsonl.gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.scifact))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(throws: SourceError.self) { try lines(of: path) }
    }

    @Test func overlongLinesAreReportedAndSkipped() throws {
        let path = NSTemporaryDirectory() + "long-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(("short\n" + String(repeating: "x", count: 5_000) + "\nafter\n").utf8).write(to: URL(fileURLWithPath: path))
        let reader = LineReader(source: try ByteSource(path: path), maximumLineBytes: 1_000)
        var seen: [String] = []
        while let line = try reader.next() {
            switch line {
            case .text(let bytes): seen.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong(let bytes): seen.append("too long: \(bytes) at line \(reader.lineNumber)")
            }
        }
        #expect(seen == ["short", "too long: 5000 at line 2", "after"])
    }
}
