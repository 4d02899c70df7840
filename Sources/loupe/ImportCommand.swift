import ArgumentParser
import DocumentSources
import Foundation
import PostgresClient
import PostgresSearch
import SearchCore
import Synchronization

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load documents from JSONL/NDJSON, JSON array or CSV files (plain or .gz) into a collection.",
        discussion: """
            Records are streamed, checked like the HTTP API checks documents, and written in batches; every batch \
            commits with a checkpoint, so an interrupted import continues with --resume and importing the same \
            files again changes nothing. Bad records are reported with file, line and reason.

            Exit status: 0 all records imported; 2 imported, but some bad records were skipped (within \
            --max-errors); 1 stopped (more bad records than --max-errors, or an error). Committed batches stay.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The collection to load into.")
    var collection: String

    @Argument(help: ArgumentHelp("Input files, read in order; - reads standard input.", valueName: "file"))
    var files: [String]

    @Option(help: "The field holding each document's id (with the default, `_id` is accepted too, as in BEIR corpora).")
    var idField = "id"

    @Option(help: "jsonl, json (an array) or csv. Default: csv for *.csv[.gz], else decided by the first character.")
    var format: String?

    @Flag(help: "Create the collection if it does not exist (needs --field).")
    var create = false

    @Option(name: .customLong("field"), help: ArgumentHelp("With --create: a searchable field and its weight A-D, e.g. title:A.", valueName: "name:weight"))
    var fields: [String] = []

    @Option(help: "With --create: the text search language (default english).")
    var language = "english"

    @Option(help: "bulk, incremental or auto (bulk for large loads into an empty or small collection).")
    var mode: ModeChoice = .auto

    @Option(help: "Records per batch (one transaction each).")
    var batch = 2_000

    @Option(help: "Connections writing batches at the same time.")
    var writers = 2

    @Option(help: "Bad records to skip before stopping; 0 stops at the first.")
    var maxErrors = 0

    @Flag(help: "Continue the interrupted import of the same files from its last committed batch.")
    var resume = false

    @Option(help: "auto (a bar on a terminal, else a log line every few seconds), bar, log or none.")
    var progress: ProgressChoice = .auto

    enum ModeChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, bulk, incremental
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one input file (or - for standard input)") }
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 100000") }
        guard (1...16).contains(writers) else { throw ValidationError("--writers must be between 1 and 16") }
        guard maxErrors >= 0 else { throw ValidationError("--max-errors cannot be negative") }
        guard files.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("standard input (-) can be read once") }
        if !fields.isEmpty && !create { throw ValidationError("--field only applies with --create") }
        _ = try searchableFields()
        if let format, RecordFormat(rawValue: format) == nil { throw ValidationError("--format must be jsonl, json or csv") }
        if TextSearchLanguage(rawValue: language) == nil { throw ValidationError("--language \(language) is not a PostgreSQL text search configuration") }
    }

    func searchableFields() throws -> [SearchableField] {
        try fields.map { spec in
            let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
            let weight = parts.count == 2 ? FieldWeight(rawValue: parts[1].uppercased()) : .d
            guard let weight, let name = parts.first else {
                throw ValidationError("--field \(spec): expected name:weight with a weight of A, B, C or D")
            }
            do {
                return try SearchableField(name: name, weight: weight)
            } catch {
                throw ValidationError("--field \(spec): \(error)")
            }
        }
    }

    func run() async throws {
        let reporter = progress.reporter(label: "import")
        let summary = try await withCommandPool(database, connections: writers + 2) { pool in
            let store = CollectionStore(pool: pool)
            let target: StoredCollection
            if let existing = try await store.find(collection) {
                target = existing
            } else if create {
                let fields = try searchableFields()
                guard !fields.isEmpty else { throw ValidationError("--create needs at least one --field name:weight") }
                target = try await store.create(try CollectionDefinition(
                    name: CollectionName(collection), fields: fields, language: TextSearchLanguage(rawValue: language) ?? .english))
                reporter.message("created collection \(collection) (\(fields.map { "\($0.name):\($0.weight.rawValue)" }.joined(separator: ", ")))")
            } else {
                throw ValidationError("there is no collection named \(collection) (add --create with --field name:weight)")
            }
            let options = ImportOptions(
                inputs: files, format: format.flatMap(RecordFormat.init(rawValue:)), idKeys: ImportOptions.idKeys(forField: idField),
                mode: mode == .auto ? nil : ImportMode(rawValue: mode.rawValue), batchSize: batch, writers: writers,
                maximumProblems: maxErrors, resume: resume)
            let publishing = PublishingNotice()
            return try await DocumentImporter(pool: pool, collection: target).run(
                options,
                progress: { update in
                    reporter.update(ProgressSnapshot(
                        documents: update.records, bytes: update.bytesRead, totalBytes: update.totalBytes,
                        problems: update.problems, elapsed: update.elapsed))
                    if update.phase == .publishing, publishing.first() {
                        reporter.message("publishing: moving the staged documents into the collection and building its statistics ...")
                    }
                },
                problem: { reporter.message("bad record: \($0) [\($0.codeName)]") },
                note: { reporter.message($0) })
        }
        reporter.finish(
            ProgressSnapshot(
                documents: summary.records, bytes: 0, problems: summary.problems, elapsed: summary.elapsed),
            summary: Self.describe(summary, maxErrors: maxErrors))
        if !summary.completed { throw ExitCode(1) }
        if summary.problems > 0 { throw ExitCode(2) }
    }

    static func describe(_ summary: ImportSummary, maxErrors: Int) -> String {
        let seconds = summary.elapsed / .seconds(1)
        let fresh = summary.records - summary.skippedRecords
        let rate = seconds > 0 ? Double(fresh) / seconds : 0
        let megabytes = Double(summary.bytesDecoded) / 1_000_000
        var lines = [
            "\(summary.completed ? "imported" : "stopped:") \(ProgressLine.count(summary.records)) records in "
                + "\(String(format: "%.1f", seconds)) s (\(ProgressLine.count(Int(rate))) records/s, "
                + "\(String(format: "%.1f", seconds > 0 ? megabytes / seconds : 0)) MB/s), \(summary.mode) mode: "
                + "\(ProgressLine.count(summary.documentsWritten)) documents written, \(ProgressLine.count(summary.problems)) bad",
        ]
        if summary.resumed {
            lines.append("resumed: \(ProgressLine.count(summary.skippedRecords)) records were committed by the earlier run")
        }
        if let first = summary.firstSearchableAfter {
            lines.append("first documents searchable after \(String(format: "%.1f", first / .seconds(1))) s"
                + (summary.publishingTime.map { " (publication took \(String(format: "%.1f", $0 / .seconds(1))) s)" } ?? ""))
        }
        if let packing = summary.packing {
            lines.append(packing.description)
        }
        if let vacuum = summary.vacuumTime {
            // It merges the GIN pending lists every search reads (bench/results/vacuum-after-import).
            lines.append("VACUUM ANALYZE of the search tables took " + String(format: "%.1f", vacuum / .seconds(1)) + " s")
        }
        if !summary.completed {
            lines.append("more than \(maxErrors) bad records: committed batches are kept; fix the input or raise "
                + "--max-errors, then run the same command with --resume")
        }
        return lines.joined(separator: "\n")
    }
}

/// True the first time only (the publishing notice is printed once).
private final class PublishingNotice: Sendable {
    private let shown = Mutex(false)

    func first() -> Bool {
        shown.withLock { shown in
            defer { shown = true }
            return !shown
        }
    }
}


enum ProgressChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, bar, log, none

    func reporter(label: String) -> ProgressReporter {
        switch self {
        case .auto: ProgressReporter(label: label)
        case .bar: ProgressReporter(label: label, style: .bar)
        case .log: ProgressReporter(label: label, style: .log)
        case .none: ProgressReporter(label: label, style: .quiet)
        }
    }
}


/// A pool sized for a command that works on several connections, shut down when `body` ends. A schema
/// without the import tables gets a hint instead of a bare SQL error.
func withCommandPool<T>(
    _ database: DatabaseOptions, connections: Int, _ body: (PostgresConnectionPool) async throws -> T
) async throws -> T {
    let pool = PostgresConnectionPool(
        configuration: try await database.configuration(), options: .init(maximumConnections: connections))
    do {
        let value = try await body(pool)
        await pool.shutdown()
        return value
    } catch let error as PostgresError where error.code == .undefinedTable || error.code == .undefinedFunction {
        await pool.shutdown()
        throw ValidationError("\(error) -- the database schema is not up to date; run `loupe migrate up`")
    } catch {
        await pool.shutdown()
        throw error
    }
}
