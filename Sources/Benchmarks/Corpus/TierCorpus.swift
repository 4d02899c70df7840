import DocumentSources
import Foundation
import InvertedIndex
import SearchCore

/// The JSONL files of one speed tier, prepared once in a cache folder and reused by later runs.
public struct TierCorpus: Sendable {
    public let tier: SpeedTier
    public let files: [String]
    public let documents: Int
    /// The most common words of the tier's documents (surface forms, no stop words), for high-match queries.
    public let commonWords: [String]

    /// The scale corpus files, in the order their documents are counted.
    public static let scaleFiles = ["debian-descriptions", "gcide", "wordnet"].map { "corpus/scale/\($0).jsonl.gz" }
    public static let scaleDocuments = 307_850

    /// Prepares `tier` under `cacheDirectory`: the scale files themselves for 300k, an even sample of them for
    /// the smaller tiers, a synthetic corpus (seed 42) for the larger ones.
    public static func prepare(
        _ tier: SpeedTier, scaleFiles: [String] = scaleFiles, cacheDirectory: String, note: (String) -> Void
    ) throws -> TierCorpus {
        for file in scaleFiles where !FileManager.default.fileExists(atPath: file) {
            throw BenchmarkError("\(file) is missing; run from the repository root")
        }
        try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        let files: [String]
        switch tier {
        case .scale:
            files = scaleFiles
        case .tenThousand, .hundredThousand:
            let path = "\(cacheDirectory)/sample-\(tier.rawValue).jsonl"
            if !FileManager.default.fileExists(atPath: path) {
                note("sampling \(tier.rawValue) documents from the scale corpus")
                try writeSample(of: scaleFiles, count: tier.documentCount ?? 0, to: path)
            }
            files = [path]
        case .oneMillion, .threeMillion:
            let count = tier.documentCount ?? 0
            let path = "\(cacheDirectory)/synthetic-\(tier.rawValue)-seed42.jsonl"
            if !FileManager.default.fileExists(atPath: path) {
                note("generating \(count) synthetic documents (seed 42) from the scale corpus's distributions")
                let corpus = try SyntheticCorpus(learningFrom: scaleFiles, seed: 42)
                // Written aside and renamed, so an interrupted run never leaves a short corpus behind.
                let partial = path + ".partial"
                try corpus.write(count: count, to: partial) { written in note("  generated \(written)") }
                try FileManager.default.moveItem(atPath: partial, toPath: path)
            }
            files = [path]
        }
        let (documents, words) = try survey(files)
        return TierCorpus(tier: tier, files: files, documents: documents, commonWords: words)
    }

    /// Keeps document i of N when i * count / N moves to a new integer: `count` documents spread evenly over
    /// all sources.
    private static func writeSample(of files: [String], count: Int, to path: String) throws {
        let total = try files.reduce(0) { $0 + (try lines(of: $1) { _ in }) }
        var output: [UInt8] = []
        var index = 0
        for file in files {
            _ = try lines(of: file) { line in
                if (index * count) / total != ((index + 1) * count) / total {
                    output.append(contentsOf: line)
                    output.append(0x0A)
                }
                index += 1
            }
        }
        let partial = path + ".partial"
        try Data(output).write(to: URL(fileURLWithPath: partial))
        try FileManager.default.moveItem(atPath: partial, toPath: path)
    }

    @discardableResult
    private static func lines(of file: String, _ body: (ArraySlice<UInt8>) -> Void) throws -> Int {
        let reader = LineReader(source: try ByteSource(path: file))
        var count = 0
        while let line = try reader.next() {
            guard case .text(let bytes) = line, !bytes.isEmpty else { continue }
            body(bytes)
            count += 1
        }
        return count
    }

    /// Counts the documents, and the document frequency of lower-case alphabetic words of three letters or
    /// more over the first 200,000 documents, to name the 12 most common non-stop words.
    private static func survey(_ files: [String]) throws -> (Int, [String]) {
        var frequencies: [Substring: Int] = [:]
        var documents = 0
        for file in files {
            let reader = try RecordReaders.open(file, format: .jsonLines)
            while let record = try reader.next() {
                guard case .document(let document) = record.content else { continue }
                documents += 1
                guard documents <= 200_000 else { continue }
                let text = ((document.body["title"]?.stringValue ?? "") + " " + (document.body["text"]?.stringValue ?? "")).lowercased()
                var seen = Set<Substring>()
                for word in text.split(whereSeparator: { !$0.isLetter }) where word.count >= 3 && word.allSatisfy(\.isASCII) {
                    if seen.insert(word).inserted { frequencies[word, default: 0] += 1 }
                }
            }
        }
        let common = frequencies.filter { !EnglishStopWords.contains($0.key) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(12).map { String($0.key) }
        return (documents, common)
    }
}
