import DocumentSources
import Relevance
import Foundation
import SearchCore

/// Synthetic documents that follow a real corpus's vocabulary and lengths: each document takes the title and
/// text lengths (in words) of a real document drawn at random, and fills them with words drawn by their
/// frequency in real titles and texts respectively. A fixed seed gives the same corpus everywhere.
public struct SyntheticCorpus: Sendable {
    /// Word frequencies of one field, as a cumulative table to draw from.
    struct WordDistribution: Sendable {
        private(set) var words: [String] = []
        private(set) var cumulative: [Int] = []

        init(_ counts: [String: Int]) {
            var total = 0
            // Sorted so the table, and with it the corpus, does not depend on dictionary order.
            for (word, count) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                total += count
                words.append(word)
                cumulative.append(total)
            }
        }

        func draw(using generator: inout SplitMix64) -> Substring {
            guard let total = cumulative.last, total > 0 else { return "" }
            let target = Int(generator.next() % UInt64(total))
            var low = 0, high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if cumulative[middle] > target { high = middle } else { low = middle + 1 }
            }
            return Substring(words[low])
        }
    }

    let titles: WordDistribution
    let texts: WordDistribution
    /// (title words, text words) of every real document.
    let lengths: [(Int, Int)]
    public let seed: UInt64

    /// Learns the distributions from the `title` and `text` fields of the JSONL files at `paths`.
    public init(learningFrom paths: [String], seed: UInt64 = 42) throws {
        var titleCounts: [String: Int] = [:], textCounts: [String: Int] = [:]
        var lengths: [(Int, Int)] = []
        for path in paths {
            let reader = try RecordReaders.open(path, format: .jsonLines)
            while let record = try reader.next() {
                guard case .document(let document) = record.content else { continue }
                let title = (document.body["title"]?.stringValue ?? "").split(whereSeparator: \.isWhitespace)
                let text = (document.body["text"]?.stringValue ?? "").split(whereSeparator: \.isWhitespace)
                for word in title { titleCounts[String(word), default: 0] += 1 }
                for word in text { textCounts[String(word), default: 0] += 1 }
                lengths.append((title.count, text.count))
            }
        }
        guard !lengths.isEmpty else { throw BenchmarkError("no documents to learn from in \(paths.joined(separator: ", "))") }
        titles = WordDistribution(titleCounts)
        texts = WordDistribution(textCounts)
        self.lengths = lengths
        self.seed = seed
    }

    /// Draws `count` documents in order, handing each one's number, title and text to `body`.
    public func generate(count: Int, _ body: (_ number: Int, _ title: String, _ text: String) throws -> Void) rethrows {
        var generator = SplitMix64(seed: seed)
        for number in 0..<count {
            let (titleLength, textLength) = lengths[Int(generator.next() % UInt64(lengths.count))]
            let title = (0..<titleLength).map { _ in titles.draw(using: &generator) }.joined(separator: " ")
            let text = (0..<textLength).map { _ in texts.draw(using: &generator) }.joined(separator: " ")
            try body(number, title, text)
        }
    }

    /// Writes `count` documents (`_id` `s0`, `s1`, ...) as JSON lines to `path`, calling `progress` every
    /// 100,000 documents.
    public func write(count: Int, to path: String, progress: (Int) -> Void = { _ in }) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw BenchmarkError("cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        try generate(count: count) { number, title, text in
            // Keys in a fixed order, so the file is the same byte for byte on every run.
            buffer.append(contentsOf: Array(#"{"_id":"s\#(number)","title":"#.utf8))
            JSONValue.string(title).write(to: &buffer)
            buffer.append(contentsOf: Array(#","text":"#.utf8))
            JSONValue.string(text).write(to: &buffer)
            buffer.append(0x7D)
            buffer.append(0x0A)
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            if (number + 1) % 100_000 == 0 { progress(number + 1) }
        }
        try handle.write(contentsOf: buffer)
    }
}
