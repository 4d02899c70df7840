import ArgumentParser
import DocumentSources
import Foundation
import PostgresSearch

struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex",
        abstract: "Recompute a collection's search vectors and ranking statistics after a settings change, online.",
        discussion: """
            Documents are walked in batches by id, each in its own short transaction: searches and writes go on, \
            and a document written meanwhile ends up right. --resume continues an interrupted run. --verify \
            counts stale documents and exits 1 when there are any; --dry-run says what would change.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The collection to reindex.")
    var collection: String

    @Option(help: "Documents per batch (one short transaction each).")
    var batch = 1_000

    @Option(help: ArgumentHelp("A pause after each batch (250ms, 2s) or a rate limit (5000/s).", valueName: "pause|rate"))
    var throttle: String?

    @Option(help: "Batches rewritten at once, each on its own connection and transaction.")
    var parallel = 2

    @Flag(help: "Continue the interrupted reindex of this collection from its checkpoint.")
    var resume = false

    @Flag(help: "Also rebuild the search indexes with REINDEX INDEX CONCURRENTLY.")
    var index = false

    @Flag(help: "Only count documents whose vectors are stale; exit 1 when there are any.")
    var verify = false

    @Flag(help: "Only say what a reindex would change.")
    var dryRun = false

    @Option(help: "auto (a bar on a terminal, else a log line every few seconds), bar, log or none.")
    var progress: ProgressChoice = .auto

    func validate() throws {
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be between 1 and 100000") }
        guard (1...16).contains(parallel) else { throw ValidationError("--parallel must be between 1 and 16") }
        if let throttle, ReindexThrottle(parsing: throttle) == nil {
            throw ValidationError("--throttle \(throttle): expected a pause such as 250ms or 2s, or a rate such as 5000/s")
        }
        if verify && dryRun { throw ValidationError("--verify and --dry-run are alternatives; pick one") }
        if (verify || dryRun) && resume { throw ValidationError("--resume applies to a reindex, not to --verify or --dry-run") }
    }

    func run() async throws {
        let reporter = progress.reporter(label: verify || dryRun ? "verify" : "reindex")
        let update: @Sendable (ReindexProgress) -> Void = { step in
            reporter.update(ProgressSnapshot(
                documents: step.documents, totalDocuments: step.totalDocuments, elapsed: step.elapsed))
        }
        let stale = try await withCommandPool(database, connections: max(2, parallel)) { pool -> Int in
            guard let stored = try await CollectionStore(pool: pool).find(collection) else {
                throw ValidationError("there is no collection named \(collection)")
            }
            let reindexer = CollectionReindexer(pool: pool, collection: stored)
            let pending = try await reindexer.pendingLists()
            let pendingText = pending.map { state in
                "\(state.index): " + (state.pages.map { "\($0) pending pages, \(state.tuples ?? 0) pending tuples" }
                    ?? "pending list size unknown (install pgstattuple to see it)")
            }.joined(separator: "; ")
            if verify || dryRun {
                let report = try await reindexer.staleVectors(batchSize: max(batch, 2_000), progress: update)
                let snapshot = ProgressSnapshot(documents: report.documents, totalDocuments: report.documents, elapsed: report.elapsed)
                var lines = ["\(ProgressLine.count(report.stale)) of \(ProgressLine.count(report.documents)) documents have stale vectors"]
                if dryRun {
                    if !report.examples.isEmpty { lines.append("for example: " + report.examples.joined(separator: ", ")) }
                    let batches = (report.documents + batch - 1) / batch
                    lines.append("a reindex would rewrite those \(ProgressLine.count(report.stale)) documents in \(batches) batches of "
                        + "\(batch), update their statistics, then recompute the collection's impacts")
                    if index { lines.append("and rebuild " + CollectionReindexer.ginIndexes.joined(separator: ", ") + " concurrently") }
                    lines.append("GIN pending lists: " + pendingText)
                }
                reporter.finish(snapshot, summary: lines.joined(separator: "\n"))
                return verify ? report.stale : 0
            }
            reporter.message("GIN pending lists before: " + pendingText)
            let summary = try await reindexer.run(
                ReindexOptions(
                    batchSize: batch, throttle: throttle.flatMap(ReindexThrottle.init(parsing:)) ?? .none, resume: resume,
                    parallelism: parallel),
                progress: update, note: { reporter.message($0) })
            if index { try await reindexer.rebuildIndexes(note: { reporter.message($0) }) }
            let seconds = summary.elapsed / .seconds(1)
            reporter.finish(
                ProgressSnapshot(documents: summary.documents, totalDocuments: summary.documents, elapsed: summary.elapsed),
                summary: "reindexed \(ProgressLine.count(summary.documents)) documents in \(String(format: "%.1f", seconds)) s "
                    + "(\(ProgressLine.count(Int(seconds > 0 ? Double(summary.documents) / seconds : 0))) documents/s): "
                    + "\(ProgressLine.count(summary.rewritten)) had stale vectors and were rewritten; "
                    + "\(summary.pendingPagesCleaned) GIN pending-list pages cleaned"
                    + (summary.retried > 0 ? "; \(summary.retried) batch transactions retried after a deadlock or serialization failure" : "")
                    + (summary.resumed ? " (resumed from the checkpoint)" : "")
                    + (summary.packing.map { "\n" + $0.description } ?? ""))
            return 0
        }
        if stale > 0 { throw ExitCode(1) }
    }
}
