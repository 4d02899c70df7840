import Foundation
import Relevance
import Testing

/// A fresh directory under the system's temporary directory, removed after `body`.
private func withTemporaryDirectory(named name: String, _ body: (URL) throws -> Void) throws {
    let parent = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-beir-\(UUID().uuidString)")
    let directory = parent.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: parent) }
    try body(directory)
}

private func write(_ text: String, to path: String, in directory: URL) throws {
    let file = directory.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: file, atomically: true, encoding: .utf8)
}

@Suite struct BEIRDatasetTests {
    let queries = #"{"_id": "1", "text": "what is bm25"}"# + "\n" + #"{"_id": "2", "text": "ranking"}"# + "\n"

    @Test func findsBEIRsDownloadLayoutPreferringGzip() throws {
        try withTemporaryDirectory(named: "scifact") { directory in
            try write("", to: "corpus.jsonl", in: directory)
            try write("", to: "corpus.jsonl.gz", in: directory)
            try write(queries, to: "queries.jsonl", in: directory)
            try write("query-id\tcorpus-id\tscore\n1\td1\t1\n", to: "qrels/test.tsv", in: directory)
            try write("query-id\tcorpus-id\tscore\n2\td2\t1\n", to: "qrels/dev.tsv", in: directory)
            try write("query-id\tcorpus-id\tscore\n2\td9\t1\n", to: "qrels.tsv", in: directory)

            let test = try BEIRDataset(directory: directory.path)
            #expect(test.name == "scifact")
            #expect(test.split == "test")
            #expect(test.corpusFile.lastPathComponent == "corpus.jsonl.gz")
            #expect(test.qrelsFile.path.hasSuffix("qrels/test.tsv"))
            #expect(try test.loadQrels().relevantDocuments(for: "1") == ["d1"])
            #expect(try test.loadQueries().text(for: "1") == "what is bm25")

            let dev = try BEIRDataset(directory: directory, split: "dev")
            #expect(try dev.loadQrels().queryIDs == ["2"])
            // A trailing slash names the same collection.
            #expect(try BEIRDataset(directory: directory.path + "/").name == "scifact")
        }
    }

    @Test func fallsBackToOneQrelsFileAndPlainCorpus() throws {
        try withTemporaryDirectory(named: "tiny") { directory in
            try write("{}\n", to: "corpus.jsonl", in: directory)
            try write(queries, to: "queries.jsonl", in: directory)
            try write("1 0 d3 2\n", to: "qrels.tsv", in: directory)
            let dataset = try BEIRDataset(directory: directory, split: "validation")
            #expect(dataset.corpusFile.lastPathComponent == "corpus.jsonl")
            #expect(dataset.qrelsFile.lastPathComponent == "qrels.tsv")
            #expect(try dataset.loadQrels().grade(query: "1", document: "d3") == 2)
        }
    }

    @Test func namesEveryMissingPieceAndWhereItLooked() throws {
        try withTemporaryDirectory(named: "broken") { directory in
            try write(queries, to: "queries.jsonl", in: directory)
            // A directory where a file should be does not count.
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent("corpus.jsonl"), withIntermediateDirectories: true)
            let expected = BEIRDatasetError.missingFiles(directory.standardizedFileURL.path, [
                .init(what: "corpus", lookedFor: ["corpus.jsonl.gz", "corpus.jsonl"]),
                .init(what: #"judgements for split "dev""#, lookedFor: ["qrels/dev.tsv", "qrels.tsv"]),
            ])
            #expect(throws: expected) { try BEIRDataset(directory: directory, split: "dev") }
            #expect(expected.description == """
                \(directory.standardizedFileURL.path) is not a complete BEIR collection: \
                no corpus (looked for corpus.jsonl.gz, corpus.jsonl); \
                no judgements for split "dev" (looked for qrels/dev.tsv, qrels.tsv)
                """)
        }
    }

    @Test func aMissingDirectoryIsNotACollection() throws {
        try withTemporaryDirectory(named: "here") { directory in
            let absent = directory.appendingPathComponent("absent")
            #expect(throws: BEIRDatasetError.notADirectory(absent.standardizedFileURL.path)) { try BEIRDataset(directory: absent) }
            try write("", to: "file", in: directory)
            let file = directory.appendingPathComponent("file")
            #expect(throws: BEIRDatasetError.notADirectory(file.standardizedFileURL.path)) { try BEIRDataset(directory: file) }
        }
    }

    @Test func malformedFilesAreNamed() throws {
        try withTemporaryDirectory(named: "bad") { directory in
            try write("", to: "corpus.jsonl", in: directory)
            try write("not json\n", to: "queries.jsonl", in: directory)
            try write("q\td\n", to: "qrels/test.tsv", in: directory)
            let dataset = try BEIRDataset(directory: directory)
            #expect(throws: BEIRDatasetError.malformedQrels(
                dataset.qrelsFile.path, .malformedLine(1, "expected 3 (BEIR) or 4 (TREC) columns, found 2"))) {
                try dataset.loadQrels()
            }
            #expect(throws: BEIRDatasetError.malformedQueries(dataset.queriesFile.path, .malformedLine(1, "not valid JSON"))) {
                try dataset.loadQueries()
            }
        }
    }
}
