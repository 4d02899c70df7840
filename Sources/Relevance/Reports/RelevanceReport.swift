public import Foundation

/// The record of one relevance benchmark run: which collection, which systems, how each scored, and how each
/// compares with a baseline. Encodes to the JSON committed beside the benchmark's Markdown (snake_case keys), so
/// later runs and other tools can read it back.
public struct RelevanceReport: Codable, Sendable, Equatable {
    private enum CodingKeys: String, CodingKey {
        case kind, dataset, split, documents, queries, command, machine, depth, systems, comparisons
    }

    /// Always "relevance": tells a reader of benchmark results which shape follows.
    public var kind: String
    /// The collection's name, e.g. "scifact".
    public var dataset: String
    /// The qrels split evaluated, e.g. "test".
    public var split: String
    /// Documents loaded into each engine.
    public var documents: Int
    /// Judged queries evaluated (those with at least one relevant document).
    public var queries: Int
    /// The command line that produced the report, to run it again.
    public var command: String
    /// Facts about the machine and build (cpu, cores, memory, postgresql, commit, date, ...).
    public var machine: [String: String]
    /// Documents retrieved per query: the deepest cutoff any metric can use.
    public var depth: Int
    public var systems: [System]
    public var comparisons: [Comparison]

    public init(
        dataset: String, split: String, documents: Int, queries: Int, command: String, machine: [String: String],
        depth: Int, systems: [System], comparisons: [Comparison] = []
    ) {
        self.kind = "relevance"
        self.dataset = dataset
        self.split = split
        self.documents = documents
        self.queries = queries
        self.command = command
        self.machine = machine
        self.depth = depth
        self.systems = systems
        self.comparisons = comparisons
    }

    /// The report as pretty-printed JSON with sorted keys, so two runs' files diff line by line.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
