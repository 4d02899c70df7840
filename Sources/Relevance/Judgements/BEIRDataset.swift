public import Foundation

/// A BEIR collection on disk (https://github.com/beir-cellar/beir): where its corpus, queries and judgements for
/// one split are, found once up front so a benchmark fails before loading anything rather than halfway through.
///
/// Layout: `corpus.jsonl.gz` or `corpus.jsonl`, `queries.jsonl`, and `qrels/<split>.tsv` (BEIR's downloads) or a
/// single `qrels.tsv` (collections cut down to one split). The corpus is only located here: reading it, gzip and
/// all, belongs to DocumentSources.
public struct BEIRDataset: Sendable, Equatable {
    /// The collection's directory.
    public let directory: URL
    /// The directory's last path component, e.g. "scifact".
    public let name: String
    /// The split whose judgements ``qrelsFile`` holds, e.g. "test".
    public let split: String
    /// `corpus.jsonl.gz` when present (smaller to keep and to read), else `corpus.jsonl`.
    public let corpusFile: URL
    public let queriesFile: URL
    /// `qrels/<split>.tsv` when present, else `qrels.tsv`.
    public let qrelsFile: URL

    /// Locates the files of `split` in `directory`, naming every missing piece at once so one fix is enough.
    public init(directory: URL, split: String = "test") throws(BEIRDatasetError) {
        let directory = directory.standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notADirectory(directory.path)
        }
        var missing: [BEIRDatasetError.MissingFile] = []
        func locate(_ what: String, _ candidates: [String]) -> URL? {
            let found = candidates.lazy.map { directory.appendingPathComponent($0) }.first { url in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            if found == nil { missing.append(.init(what: what, lookedFor: candidates)) }
            return found
        }
        let corpus = locate("corpus", ["corpus.jsonl.gz", "corpus.jsonl"])
        let queries = locate("queries", ["queries.jsonl"])
        let qrels = locate("judgements for split \"\(split)\"", ["qrels/\(split).tsv", "qrels.tsv"])
        guard let corpus, let queries, let qrels else { throw .missingFiles(directory.path, missing) }
        self.directory = directory
        self.name = directory.lastPathComponent
        self.split = split
        self.corpusFile = corpus
        self.queriesFile = queries
        self.qrelsFile = qrels
    }

    /// As ``init(directory:split:)``, with the directory as a path (relative paths start at the current directory).
    public init(directory: String, split: String = "test") throws(BEIRDatasetError) {
        try self.init(directory: URL(fileURLWithPath: directory, isDirectory: true), split: split)
    }

    /// Reads and parses ``qrelsFile``.
    public func loadQrels() throws(BEIRDatasetError) -> Qrels {
        let text = try Self.read(qrelsFile)
        do {
            return try Qrels.parse(text)
        } catch {
            throw .malformedQrels(qrelsFile.path, error)
        }
    }

    /// Reads and parses ``queriesFile``.
    public func loadQueries() throws(BEIRDatasetError) -> QuerySet {
        let text = try Self.read(queriesFile)
        do {
            return try QuerySet.parseBEIR(jsonl: text)
        } catch {
            throw .malformedQueries(queriesFile.path, error)
        }
    }

    private static func read(_ file: URL) throws(BEIRDatasetError) -> String {
        do {
            return try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw .unreadable(file.path, (error as NSError).localizedDescription)
        }
    }
}

public enum BEIRDatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A piece of the collection that is not there, and the paths (relative to the directory) tried for it, in
    /// order of preference.
    public struct MissingFile: Sendable, Equatable {
        public let what: String
        public let lookedFor: [String]

        public init(what: String, lookedFor: [String]) {
            self.what = what
            self.lookedFor = lookedFor
        }
    }

    /// The path is not a directory (or does not exist).
    case notADirectory(String)
    /// The directory lacks these pieces.
    case missingFiles(String, [MissingFile])
    /// A file exists but could not be read as UTF-8 text.
    case unreadable(String, String)
    case malformedQrels(String, QrelsError)
    case malformedQueries(String, QuerySetError)

    public var description: String {
        switch self {
        case .notADirectory(let path):
            "\(path) is not a directory holding a BEIR collection"
        case .missingFiles(let path, let missing):
            "\(path) is not a complete BEIR collection: "
                + missing.map { "no \($0.what) (looked for \($0.lookedFor.joined(separator: ", ")))" }
                .joined(separator: "; ")
        case .unreadable(let path, let reason):
            "cannot read \(path): \(reason)"
        case .malformedQrels(let path, let error):
            "\(path): \(error)"
        case .malformedQueries(let path, let error):
            "\(path): \(error)"
        }
    }
}
